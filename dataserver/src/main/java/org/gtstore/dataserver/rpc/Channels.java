package org.gtstore.dataserver.rpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;

/**
 * Builds the client channels of a data server. Callbacks run on the transport threads
 * ({@code directExecutor}): every handler only hands work to another thread, and a thread hop
 * costs more than the work itself (DESIGN.md, performance facts).
 */
public final class Channels {
    /** Chain batches and values up to 1 MiB plus keys and headers. */
    public static final int MESSAGE_BYTES_MAX = 16 << 20;

    private Channels() {
    }

    public static ManagedChannel forAddress(String address) {
        return NettyChannelBuilder.forTarget(address)
                .usePlaintext()
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
