package org.gtstore.client.internal;

import io.grpc.ManagedChannel;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.DataServiceGrpc.DataServiceStub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived channel per data server address, shared by every request to that server.
 * Channels to addresses that leave the map are closed.
 */
public final class DataChannels implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DataChannels.class);

    private final Function<String, ManagedChannel> channelFactory;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Map<String, DataServiceStub> stubs = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public DataChannels(Function<String, ManagedChannel> channelFactory) {
        this.channelFactory = channelFactory;
    }

    /** The stub for an address, opening its channel on first use. */
    public DataServiceStub stub(String address) {
        DataServiceStub s = stubs.get(address);
        if (s != null) {
            return s;
        }
        if (closed) {
            throw new IllegalStateException("client is closed");
        }
        return stubs.computeIfAbsent(address, a -> DataServiceGrpc.newStub(
                channels.computeIfAbsent(a, channelFactory)));
    }

    /**
     * Makes a channel that failed to connect try again at once on its next call, rather than
     * after gRPC's reconnect back-off (which grows to minutes): a server restarted at the same
     * address is then reached at once.
     */
    public void resetBackoff(String address) {
        ManagedChannel ch = channels.get(address);
        if (ch != null) {
            ch.resetConnectBackoff();
        }
    }

    /** Closes the channels to every address not in the given set. */
    public void retainOnly(Set<String> addresses) {
        for (String a : channels.keySet()) {
            if (!addresses.contains(a)) {
                stubs.remove(a);
                ManagedChannel ch = channels.remove(a);
                if (ch != null) {
                    LOG.debug("closing the channel to {}: no longer in the map", a);
                    ch.shutdown();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        stubs.clear();
        for (ManagedChannel ch : channels.values()) {
            Channels.close(ch);
        }
        channels.clear();
    }
}
