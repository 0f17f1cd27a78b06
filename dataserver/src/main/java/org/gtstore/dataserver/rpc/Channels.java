package org.gtstore.dataserver.rpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Builds the client channels of a data server. Callbacks run on the transport threads
 * ({@code directExecutor}): every handler only hands work to another thread, and a thread hop
 * costs more than the work itself (DESIGN.md, performance facts).
 *
 * <p>The server and every client channel of the process share ONE event-loop thread
 * ({@link #LOOP}), instead of gRPC's default groups (two per core, server and client apart): a
 * driver pass that forwards to the successor and answers clients then wakes one thread, which
 * flushes every connection in one go, and ten JVMs on two cores run far fewer threads.
 */
public final class Channels {
    /** Chain batches and values up to 1 MiB plus keys and headers. */
    public static final int MESSAGE_BYTES_MAX = 16 << 20;

    /** The process's one I/O thread (daemon; lives as long as the process). */
    private static final EventLoopGroup LOOP = Epoll.isAvailable()
            ? new EpollEventLoopGroup(1, new DefaultThreadFactory("gtstore-io", true))
            : new NioEventLoopGroup(1, new DefaultThreadFactory("gtstore-io", true));

    private Channels() {
    }

    /** A server builder on the shared event loop. */
    public static NettyServerBuilder server(java.net.SocketAddress address) {
        return NettyServerBuilder.forAddress(address)
                .bossEventLoopGroup(LOOP)
                .workerEventLoopGroup(LOOP)
                .channelType(Epoll.isAvailable() ? EpollServerSocketChannel.class
                        : NioServerSocketChannel.class);
    }

    public static ManagedChannel forAddress(String address) {
        return NettyChannelBuilder.forTarget(address)
                .usePlaintext()
                .eventLoopGroup(LOOP)
                .channelType(Epoll.isAvailable() ? EpollSocketChannel.class
                        : NioSocketChannel.class)
                .directExecutor()
                .maxInboundMessageSize(MESSAGE_BYTES_MAX)
                .keepAliveTime(30, TimeUnit.SECONDS)
                .build();
    }

    /** Shuts a channel down without waiting. */
    public static void close(ManagedChannel channel) {
        if (channel != null) {
            channel.shutdownNow();
        }
    }
}
