package org.gtstore.metadata.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gtstore.metadata.liveness.Clock;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.proto.ReviveEntry;

/**
 * How long the leader waits for the last replicas of an unavailable chain before it serves the
 * partition again from the best of those that reported (a last replica may never come back:
 * its disk died). The wait starts when this leader first sees a tip in the chain's current
 * epoch, so a new leader waits afresh. Soft state of the duty thread.
 */
final class RevivalWait {

    /** When this leader first saw a tip of the chain in that chain epoch. */
    private record Since(long chainEpoch, long firstTipNs) {
    }

    private final Clock clock;
    private final long waitMs;
    private final Map<Integer, Since> since = new HashMap<>();

    RevivalWait(Clock clock, long waitMs) {
        this.clock = clock;
        this.waitMs = waitMs;
    }

    long waitMs() {
        return waitMs;
    }

    /** The unavailable chains that have waited long enough with at least one tip. */
    List<ReviveEntry> due(ClusterState s) {
        List<ReviveEntry> out = new ArrayList<>();
        Map<Integer, Since> still = new HashMap<>();
        long now = clock.nanoTime();
        for (PartitionChain c : s.chains()) {
            if (!c.isUnavailable() || c.tips().isEmpty()) {
                continue;
            }
            Since w = since.get(c.partition());
            if (w == null || w.chainEpoch() != c.epoch()) {
                w = new Since(c.epoch(), now);
            }
            still.put(c.partition(), w);
            if (TimeUnit.NANOSECONDS.toMillis(now - w.firstTipNs()) >= waitMs) {
                out.add(ReviveEntry.newBuilder().setPartition(c.partition())
                        .setChainEpoch(c.epoch()).build());
            }
        }
        since.clear();
        since.putAll(still);
        return out;
    }

    void clear() {
        since.clear();
    }
}
