package org.gtstore.dataserver.rpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.TransportSecurity;

/**
 * Builds the client channels of a data server. Callbacks run on the transport thread
 * ({@code directExecutor}): a thread hop costs more than the work itself (DESIGN.md,
 * performance facts). The server's chain channels also run on its one I/O loop
 * ({@link IoLoop#channel}); the others (tests, tools) on gRPC's shared event loops.
 *
 * <p>gRPC's own retries are off, as in the client: every caller here has its own rule for a
 * failed call (a chain stream is re-opened by its link, a metadata call goes to the next
 * member), and with retries on every message of a chain stream also passed through gRPC's
 * retry buffer ({@code RetriableStream}, ~1-3% of a K=3 server's I/O thread in a profile).
 */
public final class Channels {
    /** Chain batches and values up to 1 MiB plus keys and headers. */
    public static final int MESSAGE_BYTES_MAX = 16 << 20;

    private Channels() {
    }

    /** A plaintext channel to host:port (tests and tools of a plaintext cluster). */
    public static ManagedChannel forAddress(String address) {
        return builder(address, TransportSecurity.plaintext()).build();
    }

    /** A channel to host:port secured as {@code security} says. */
    public static ManagedChannel forAddress(String address, TransportSecurity security) {
        return builder(address, security).build();
    }

    /** A channel to host:port with the data server's options, not built yet. */
    static NettyChannelBuilder builder(String address, TransportSecurity security) {
        return NettyChannelBuilder.forTarget(address, security.channelCredentials())
                .intercept(security.tokenSender())
                .directExecutor()
                .disableRetry()
                .maxInboundMessageSize(MESSAGE_BYTES_MAX)
                .keepAliveTime(30, TimeUnit.SECONDS);
    }

    /** Shuts a channel down without waiting. */
    public static void close(ManagedChannel channel) {
        if (channel != null) {
            channel.shutdownNow();
        }
    }
}
