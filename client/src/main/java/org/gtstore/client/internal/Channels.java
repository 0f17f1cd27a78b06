package org.gtstore.client.internal;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.net.ConnectException;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.Limits;

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

    /** A plaintext channel to host:port. */
    public static ManagedChannel open(String address) {
        return Grpc.newChannelBuilder(address, InsecureChannelCredentials.create())
                .directExecutor()
                .disableRetry()
                .maxInboundMessageSize(INBOUND_BYTES_MAX)
                .build();
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

    /** True when the failure is a refused connection: nothing listens at the address. */
    public static boolean isConnectionRefused(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    /** A short human reading of a transport failure, e.g. "connection refused". */
    public static String describe(Throwable t, long timeoutMs) {
        if (isConnectionRefused(t)) {
            return "connection refused";
        }
        Status s = Status.fromThrowable(t);
        if (s.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return "no answer within " + timeoutMs + " ms";
        }
        String d = s.getDescription();
        return s.getCode() + (d == null || d.isEmpty() ? "" : ": " + d);
    }
}
