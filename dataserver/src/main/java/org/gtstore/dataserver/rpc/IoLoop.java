package org.gtstore.dataserver.rpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.TransportSecurity;

/**
 * The one I/O thread of a data server (Redis's and TigerBeetle's shape: one thread owns the
 * sockets and the state). The gRPC server's connections, the chain streams to successors and
 * the replica driver all run on this single event loop, so a client batch is read, stepped,
 * persisted and answered on one thread, with no hand-off between threads: a hand-off costs a
 * wake-up of the other thread on each side, and with ten JVMs on two cores wake-ups were most
 * of what a small batch cost.
 *
 * <p>Work the loop does besides I/O must not wait on other threads; the store's writes (page
 * cache, no fsync) and point reads are short, and copies and statistics scan on threads of
 * their own.
 */
public final class IoLoop implements AutoCloseable {
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Class<? extends ServerChannel> serverType;
    private final Class<? extends Channel> clientType;
    private final TransportSecurity security;

    /**
     * Starts the loop's thread, named {@code gtstore-io-<serverId>}; its channels are secured
     * as {@code security} says.
     */
    public IoLoop(String serverId, TransportSecurity security) {
        this.security = security;
        DefaultThreadFactory factory = new DefaultThreadFactory("gtstore-io-" + serverId, true);
        if (Epoll.isAvailable()) {
            this.group = new EpollEventLoopGroup(1, factory);
            this.serverType = EpollServerSocketChannel.class;
            this.clientType = EpollSocketChannel.class;
        } else {
            this.group = new NioEventLoopGroup(1, factory);
            this.serverType = NioServerSocketChannel.class;
            this.clientType = NioSocketChannel.class;
        }
        this.loop = group.next();
    }

    /** The loop, as the executor the replica driver runs on. */
    public EventLoop loop() {
        return loop;
    }

    /** Puts a gRPC server's accepting and serving on this loop. */
    public NettyServerBuilder serveOn(NettyServerBuilder builder) {
        return builder.bossEventLoopGroup(group).workerEventLoopGroup(group)
                .channelType(serverType);
    }

    /** A channel to a peer whose I/O and callbacks run on this loop. */
    public ManagedChannel channel(String address) {
        return Channels.builder(address, security).eventLoopGroup(group)
                .channelType(clientType).build();
    }

    /** Stops the thread; call after the server and every channel on the loop are shut down. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3,
                TimeUnit.SECONDS);
    }
}
