package org.gtstore.metadata.service;

import java.util.Optional;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.RegisterRequest;

/**
 * Who may register: a data server whose directory belongs to this cluster, or one whose
 * directory never belonged to any (it then records this cluster's id). Data from another
 * cluster, or from before this metadata group was wiped, is never served as truth here.
 */
final class ClusterIdentity {
    /** Why a registration is refused: its code and one line for the server's log. */
    record Refusal(ErrorCode code, String message) {
    }

    private ClusterIdentity() {
    }

    static Optional<Refusal> check(ClusterState state, RegisterRequest r) {
        if (!state.hasSettings()) {
            // No cluster id yet: nothing to record, so nothing may register until InitCluster.
            return Optional.of(new Refusal(ErrorCode.UNAVAILABLE,
                    "the metadata group is still forming the cluster; register again"));
        }
        String ours = state.settings().clusterId();
        String theirs = r.getClusterId();
        if (theirs.isEmpty() || ours.isEmpty() || theirs.equals(ours)) {
            return Optional.empty();
        }
        return Optional.of(new Refusal(ErrorCode.WRONG_CLUSTER, "the data directory of "
                + r.getServerId() + " belongs to cluster " + theirs + ", but this metadata"
                + " group is cluster " + ours + "; give the server an empty --data-dir (its"
                + " data is copied from the chains) or point it at its own cluster"));
    }
}
