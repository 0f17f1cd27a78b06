package org.gtstore.gtctl.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Optional;
import org.gtstore.gtctl.cluster.ClusterFile.ServerMember;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the launcher's waits look at in a running cluster: the metadata members' answers, the
 * map and whether a data server accepts connections. Each check returns why it is not done
 * yet, or empty; {@link Readiness} holds the rules over what they observe.
 */
final class ClusterObservations {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterObservations.class);

    private ClusterObservations() {
    }

    /** Whether some metadata member of the cluster answers that it leads. */
    static boolean hasLeader(ClusterFile cluster, MetadataView view) {
        return cluster.metadata().stream().anyMatch(m -> view.memberStatus(m.rpcAddress())
                .map(s -> "LEADER".equals(s.getRole())).orElse(false));
    }

    /** Why the cluster is not ready for clients yet ({@link Readiness}), or empty. */
    static Optional<String> readiness(ClusterFile cluster, MetadataView view) {
        boolean leader = hasLeader(cluster, view);
        PartitionMap map = null;
        if (leader) {
            try {
                map = view.map();
            } catch (RuntimeException e) {
                LOG.debug("map not readable yet: {}", e.toString());
            }
        }
        List<String> ids = cluster.servers().stream().map(ServerMember::id).toList();
        Optional<String> reason = Readiness.notReadyReason(leader, map, ids,
                cluster.replication());
        if (reason.isPresent()) {
            return reason;
        }
        for (ServerMember s : cluster.servers()) {
            if (!listening(s.host(), s.port())) {
                return Optional.of(s.id() + " is not accepting connections on " + s.address());
            }
        }
        return Optional.empty();
    }

    /** The newest incarnation the map has for a data server; -1 if none or unreadable. */
    static long incarnation(MetadataView view, String id) {
        try {
            return view.map().getServersList().stream().filter(s -> s.getId().equals(id))
                    .mapToLong(ServerInfo::getIncarnation).max().orElse(-1);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** Why a data server is not back yet (registered anew after {@code before}, listening). */
    static Optional<String> serverBack(MetadataView view, ServerMember member, long before) {
        long now = incarnation(view, member.id());
        if (now <= before) {
            return Optional.of(member.id() + " has not registered again");
        }
        if (!listening(member.host(), member.port())) {
            return Optional.of(member.id() + " is not accepting connections on "
                    + member.address());
        }
        return Optional.empty();
    }

    private static boolean listening(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
