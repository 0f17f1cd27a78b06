package org.gtstore.dataserver.server;

import java.util.List;
import org.gtstore.dataserver.chain.CaughtUpReport;
import org.gtstore.proto.PartitionTip;

/**
 * What the replica tells the metadata leader on its own initiative. Must not block; the replica
 * repeats each report until the map shows it, so a lost one costs a retry, not correctness.
 */
public interface ReplicaReporter {
    /** Reports nowhere (a driver without a metadata session). */
    ReplicaReporter NONE = new ReplicaReporter() {
        @Override
        public void reportCaughtUp(CaughtUpReport report) {
        }

        @Override
        public void reportTips(List<PartitionTip> tips) {
        }
    };

    /** A joining replica has caught up (ReportCaughtUp): the leader makes it the tail. */
    void reportCaughtUp(CaughtUpReport report);

    /** This server's tips in settling chains, sent with the next heartbeat. */
    void reportTips(List<PartitionTip> tips);
}
