package org.gtstore.bench.loadbalance;

import io.grpc.ManagedChannel;
import org.gtstore.bench.rpc.ChannelPool;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.gtstore.bench.driver.BenchmarkException;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetMapRequest;
import org.gtstore.proto.GetMapResponse;
import org.gtstore.proto.MetadataServiceGrpc;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.proto.StatsRequest;
import org.gtstore.proto.StatsResponse;

/**
 * Asks a running cluster over the wire protocol: {@code MetadataService.GetMap} on every
 * metadata member (the highest epoch wins, since any member serves its applied map and the
 * leader's is the newest), and {@code DataService.GetStats} on every live data server.
 *
 * <p>It talks to the services directly rather than through {@code GtStoreClient}, because
 * {@code GetStats} is an operator call the client does not offer, and so that counting does not
 * depend on the client's cache. Channels are opened on first use and closed by {@link #close}.
 */
public final class GrpcClusterInspector implements ClusterInspector, AutoCloseable {
    private final List<String> metadataAddresses;
    private final Duration rpcTimeout;
    private final ChannelPool channels;

    /** Connects in plaintext to {@code host:port} addresses, as every GTStore process listens. */
    public GrpcClusterInspector(List<String> metadataAddresses, Duration rpcTimeout) {
        this(metadataAddresses, ChannelPool.PLAINTEXT, rpcTimeout);
    }

    /** As above with a given way to open channels (tests use in-process channels). */
    public GrpcClusterInspector(List<String> metadataAddresses,
            Function<String, ManagedChannel> channelFactory, Duration rpcTimeout) {
        if (metadataAddresses == null || metadataAddresses.isEmpty()) {
            throw new IllegalArgumentException("metadataAddresses is empty");
        }
        if (rpcTimeout == null || rpcTimeout.isNegative() || rpcTimeout.isZero()) {
            throw new IllegalArgumentException("rpcTimeout must be positive: " + rpcTimeout);
        }
        this.metadataAddresses = List.copyOf(metadataAddresses);
        this.channels = new ChannelPool(channelFactory);
        this.rpcTimeout = rpcTimeout;
    }

    @Override
    public PartitionMap map() {
        PartitionMap newest = null;
        List<String> failures = new ArrayList<>();
        for (String address : metadataAddresses) {
            try {
                GetMapResponse response = MetadataServiceGrpc.newBlockingStub(channel(address))
                        .withDeadlineAfter(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS)
                        .getMap(GetMapRequest.getDefaultInstance());
                if (response.getCode() != ErrorCode.OK || !response.hasMap()) {
                    failures.add(address + ": " + response.getCode());
                } else if (newest == null || response.getMap().getEpoch() > newest.getEpoch()) {
                    newest = response.getMap();
                }
            } catch (StatusRuntimeException e) {
                failures.add(address + ": " + e.getStatus());
            }
        }
        if (newest == null) {
            throw new BenchmarkException("no metadata member served a map: " + failures);
        }
        return newest;
    }

    @Override
    public Map<String, Long> keysHeaded() {
        Map<String, Long> counts = new HashMap<>();
        for (ServerInfo server : map().getServersList()) {
            if (server.getState() != ServerState.ALIVE) {
                continue;
            }
            StatsResponse stats;
            try {
                stats = DataServiceGrpc.newBlockingStub(channel(server.getAddress()))
                        .withDeadlineAfter(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS)
                        .getStats(StatsRequest.getDefaultInstance());
            } catch (StatusRuntimeException e) {
                throw new BenchmarkException("GetStats on " + server.getId() + " at "
                        + server.getAddress() + " failed: " + e.getStatus(), e);
            }
            if (!stats.getServerId().isEmpty() && !stats.getServerId().equals(server.getId())) {
                throw new BenchmarkException("the map says " + server.getAddress() + " is "
                        + server.getId() + " but it answers as " + stats.getServerId());
            }
            counts.put(server.getId(), stats.getKeysHeaded());
        }
        return ServerIds.sorted(counts);
    }

    private ManagedChannel channel(String address) {
        return channels.get(address);
    }

    /** Closes every channel. */
    @Override
    public void close() {
        channels.close();
    }
}
