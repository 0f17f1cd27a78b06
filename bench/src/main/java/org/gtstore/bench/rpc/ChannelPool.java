package org.gtstore.bench.rpc;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.gtstore.proto.TransportSecurity;

/** One channel per address, opened on first use, all closed by {@link #close}. */
public final class ChannelPool implements AutoCloseable {
    /** Plaintext channels to {@code host:port} addresses, as every GTStore process listens. */
    public static final Function<String, ManagedChannel> PLAINTEXT =
            a -> ManagedChannelBuilder.forTarget(a).usePlaintext().build();

    private final Function<String, ManagedChannel> factory;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    /** Channels to {@code host:port} addresses secured as {@code security} says. */
    public static Function<String, ManagedChannel> secured(TransportSecurity security) {
        return a -> Grpc.newChannelBuilder(a, security.channelCredentials())
                .intercept(security.tokenSender()).build();
    }

    /** A pool of {@link #PLAINTEXT} channels. */
    public static ChannelPool plaintext() {
        return new ChannelPool(PLAINTEXT);
    }

    /** Channels opened by {@code factory} (tests use in-process channels). */
    public ChannelPool(Function<String, ManagedChannel> factory) {
        this.factory = factory;
    }

    public ManagedChannel get(String address) {
        return channels.computeIfAbsent(address, factory);
    }

    /** Closes every channel, waiting up to 5 s each; an interrupt stops the wait, not the close. */
    @Override
    public void close() {
        for (ManagedChannel channel : channels.values()) {
            channel.shutdownNow();
        }
        try {
            for (ManagedChannel channel : channels.values()) {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        channels.clear();
    }
}
