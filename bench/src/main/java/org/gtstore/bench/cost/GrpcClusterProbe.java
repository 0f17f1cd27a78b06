package org.gtstore.bench.cost;

import io.grpc.ManagedChannel;
import org.gtstore.bench.rpc.ChannelPool;
import io.grpc.StatusRuntimeException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetMapRequest;
import org.gtstore.proto.GetMapResponse;
import org.gtstore.proto.MemberStatus;
import org.gtstore.proto.MemberStatusRequest;
import org.gtstore.proto.MetadataServiceGrpc;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.proto.StatsRequest;
import org.gtstore.proto.StatsResponse;

/**
 * A {@link ClusterProbe} over the wire protocol: each metadata member's pid from
 * {@code MetadataService.GetMemberStatus}, the live data servers from the newest map of any
 * member, and each data server's pid and send counts from {@code DataService.GetStats}. Every
 * process reports its own pid, so this works for a fresh cluster and a running one alike. A
 * member whose address is not on this machine is left out (its pid would name another
 * machine's process), with a note.
 */
public final class GrpcClusterProbe implements ClusterProbe {
    /** The pid and the send counts without a store scan, which would disturb the run. */
    private static final StatsRequest COUNTS_ONLY =
            StatsRequest.newBuilder().setCountsOnly(true).build();

    private final List<String> metadataAddresses;
    private final Duration rpcTimeout;
    private final ChannelPool channels = ChannelPool.plaintext();

    public GrpcClusterProbe(List<String> metadataAddresses, Duration rpcTimeout) {
        if (metadataAddresses == null || metadataAddresses.isEmpty()) {
            throw new IllegalArgumentException("metadataAddresses is empty");
        }
        if (rpcTimeout == null || rpcTimeout.isNegative() || rpcTimeout.isZero()) {
            throw new IllegalArgumentException("rpcTimeout must be positive: " + rpcTimeout);
        }
        this.metadataAddresses = List.copyOf(metadataAddresses);
        this.rpcTimeout = rpcTimeout;
    }

    @Override
    public List<MeasuredProcess> processes(List<String> notes) {
        List<MeasuredProcess> found = new ArrayList<>();
        for (String address : metadataAddresses) {
            try {
                MemberStatus s = MetadataServiceGrpc.newBlockingStub(channel(address))
                        .withDeadlineAfter(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS)
                        .getMemberStatus(MemberStatusRequest.getDefaultInstance());
                String id = s.getId().isEmpty() ? address : s.getId();
                add(found, notes, ProcessKind.METADATA, id, address, s.getPid());
            } catch (StatusRuntimeException e) {
                notes.add("metadata member " + address + " did not report its pid: "
                        + e.getStatus().getCode());
            }
        }
        for (ServerInfo server : liveServers(notes)) {
            try {
                StatsResponse s = stats(server);
                add(found, notes, ProcessKind.DATA_SERVER, server.getId(), server.getAddress(),
                        s.getPid());
            } catch (StatusRuntimeException e) {
                notes.add(server.getId() + " did not report its pid: "
                        + e.getStatus().getCode());
            }
        }
        return found;
    }

    @Override
    public Map<String, ServerCounts> serverCounts() {
        Map<String, ServerCounts> counts = new TreeMap<>();
        for (ServerInfo server : liveServers(new ArrayList<>())) {
            try {
                StatsResponse s = stats(server);
                counts.put(server.getId(), new ServerCounts(s.getChainMessages(),
                        s.getChainFlushes(), s.getUpdateMessages(), s.getUpdates(),
                        s.getReplyMessages(), s.getReplies()));
            } catch (StatusRuntimeException e) {
                // A server that does not answer has its counts left out of both readings' sum.
            }
        }
        return counts;
    }

    private static void add(List<MeasuredProcess> found, List<String> notes, ProcessKind kind,
            String id, String address, long pid) {
        if (pid <= 0) {
            notes.add(id + " did not report its pid");
        } else if (!isLocal(address)) {
            notes.add(id + " at " + address + " is not on this machine; its CPU and memory are"
                    + " not counted");
        } else {
            found.add(new MeasuredProcess(kind, id, pid));
        }
    }

    /** True if {@code host:port} names this machine (a loopback or own interface address). */
    static boolean isLocal(String address) {
        int colon = address.lastIndexOf(':');
        String host = colon < 0 ? address : address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            InetAddress a = InetAddress.getByName(host);
            return a.isLoopbackAddress() || a.isAnyLocalAddress()
                    || NetworkInterface.getByInetAddress(a) != null;
        } catch (UnknownHostException | SocketException e) {
            return false;
        }
    }

    private List<ServerInfo> liveServers(List<String> notes) {
        PartitionMap newest = null;
        for (String address : metadataAddresses) {
            try {
                GetMapResponse r = MetadataServiceGrpc.newBlockingStub(channel(address))
                        .withDeadlineAfter(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS)
                        .getMap(GetMapRequest.getDefaultInstance());
                if (r.getCode() == ErrorCode.OK && r.hasMap()
                        && (newest == null || r.getMap().getEpoch() > newest.getEpoch())) {
                    newest = r.getMap();
                }
            } catch (StatusRuntimeException e) {
                // Another member may answer.
            }
        }
        if (newest == null) {
            notes.add("no metadata member served a map; data servers are not counted");
            return List.of();
        }
        return newest.getServersList().stream()
                .filter(s -> s.getState() == ServerState.ALIVE).toList();
    }

    private StatsResponse stats(ServerInfo server) {
        return DataServiceGrpc.newBlockingStub(channel(server.getAddress()))
                .withDeadlineAfter(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .getStats(COUNTS_ONLY);
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
