package org.gtstore.client.internal;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.BlockingOperationException;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.gtstore.proto.Limits;
import org.gtstore.proto.TransportSecurity;

/**
 * How the client makes and closes its gRPC channels, and how it reads a transport failure.
 *
 * <p>Channels use {@code directExecutor()}: responses are handled on the transport's event-loop
 * thread, with no hand-off to another thread, because on a 2-core machine thread hops, not the
 * network, decide throughput (DESIGN.md, "Performance facts"). Nothing the client runs on those
 * threads blocks. gRPC's own retries are off; the client retries with its own rules.
 */
public final class Channels {
    private static final int INBOUND_BYTES_MAX = Limits.VALUE_BYTES_MAX_VALUE
            + Limits.KEY_BYTES_MAX_VALUE + 64 * 1024;

    private Channels() {
    }

    /** A channel to host:port, secured as {@code security} says, on gRPC's shared loops. */
    public static ManagedChannel open(String address, TransportSecurity security) {
        return Grpc.newChannelBuilder(address, security.channelCredentials())
                .intercept(security.tokenSender())
                .directExecutor()
                .disableRetry()
                .maxInboundMessageSize(INBOUND_BYTES_MAX)
                .build();
    }

    /** Event-loop threads shared by the channels one client opens; closed with the client. */
    public static final class EventLoops implements AutoCloseable {
        private final EventLoopGroup group;
        private final Class<? extends io.grpc.netty.shaded.io.netty.channel.Channel> type;

        /** @param threads event-loop threads, at least 1 */
        public EventLoops(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("eventLoopThreads < 1: " + threads);
            }
            DefaultThreadFactory factory = new DefaultThreadFactory("gtstore-client-io", true);
            if (Epoll.isAvailable()) {
                this.group = new EpollEventLoopGroup(threads, factory);
                this.type = EpollSocketChannel.class;
            } else {
                this.group = new NioEventLoopGroup(threads, factory);
                this.type = NioSocketChannel.class;
            }
        }

        /** A channel to host:port on these event loops, secured as {@code security} says. */
        public ManagedChannel open(String address, TransportSecurity security) {
            return NettyChannelBuilder.forTarget(address, security.channelCredentials())
                    .intercept(security.tokenSender())
                    .eventLoopGroup(group)
                    .channelType(type)
                    .directExecutor()
                    .disableRetry()
                    .maxInboundMessageSize(INBOUND_BYTES_MAX)
                    .build();
        }

        /**
         * An event loop of the group, as an executor: a task given from that loop runs after
         * the I/O it is handling, so work it triggers can be gathered first.
         */
        public java.util.concurrent.Executor executor() {
            return group.next();
        }

        /**
         * Stops the threads and waits for them (at most a second); call after every channel on
         * them is closed. A JVM that exits while a thread waits in epoll waits 300 ms for it.
         */
        @Override
        public void close() {
            var terminated = group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            try {
                terminated.awaitUninterruptibly(1, TimeUnit.SECONDS);
            } catch (BlockingOperationException e) {
                // Closed from one of its own threads: it stops once this task returns.
            }
        }
    }

    /** Shuts a channel down, waiting briefly for in-flight calls, then forcibly. */
    public static void close(ManagedChannel channel) {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(200, TimeUnit.MILLISECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Shuts a channel down at once, cancelling its calls (a client that closes has failed
     * whatever is pending), and waits briefly for its transport to go: a one-shot command then
     * exits as soon as it has its answer instead of waiting on an open session stream.
     */
    public static void closeNow(ManagedChannel channel) {
        channel.shutdownNow();
        try {
            channel.awaitTermination(200, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True when the failure is a refused connection: nothing listens at the address. */
    public static boolean isConnectionRefused(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    /** True when the failure comes from the connection itself: closed, reset, refused. */
    public static boolean isConnectionLost(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when the server turned this client's credentials away, so the same call fails
     * again until they change: the TLS handshake failed (a certificate of another CA, none,
     * an expired one), or it refused the call as UNAUTHENTICATED (no cluster token, or a
     * wrong one). A plaintext client's connection that a TLS server drops looks like any
     * dropped connection, so it is not one of these: it is retried, and only described so.
     */
    public static boolean isSecurityFailure(Throwable t) {
        Status s = Status.fromThrowable(t);
        return s.getCode() == Status.Code.UNAUTHENTICATED || sslFailure(t) != null;
    }

    private static SSLException sslFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException e) {
                return e;
            }
        }
        return null;
    }

    /** The message of the innermost cause that has one: what the TLS engine found wrong. */
    private static String deepestMessage(Throwable t) {
        String message = t.getMessage();
        for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
            if (c.getMessage() != null) {
                message = c.getMessage();
            }
        }
        return message;
    }

    /**
     * What grpc-netty reports when a TLS server drops a plaintext client's connection (and
     * when any server drops a connection without a word).
     */
    private static boolean closedAtOnce(Status s) {
        return s.getCode() == Status.Code.UNAVAILABLE && s.getDescription() != null
                && s.getDescription().startsWith("Network closed for unknown reason");
    }

    /** A short human reading of a transport failure, e.g. "connection refused". */
    public static String describe(Throwable t, long timeoutMs) {
        if (isConnectionRefused(t)) {
            return "connection refused";
        }
        SSLException ssl = sslFailure(t);
        if (ssl != null) {
            return "the TLS handshake failed (" + deepestMessage(ssl) + "): both sides need"
                    + " certificates of one CA (--tls-ca, --tls-cert, --tls-key)";
        }
        Status s = Status.fromThrowable(t);
        if (closedAtOnce(s)) {
            return "the server closed the connection (if the cluster requires TLS, give"
                    + " --tls-ca, --tls-cert and --tls-key)";
        }
        if (s.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return "no answer within " + timeoutMs + " ms";
        }
        String d = s.getDescription();
        return s.getCode() + (d == null || d.isEmpty() ? "" : ": " + d);
    }
}
