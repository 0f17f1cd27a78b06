package org.gtstore.metadata.service;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.gtstore.metadata.command.RebalancePlanner;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.proto.CopyEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's moves of partitions between live servers (see {@link RebalancePlanner}): on
 * every tick, after restoring K, one ShedLeaving for the moved chains whose leaving member
 * may go now, then one StartCopy for the next moves, at most {@code maxMoves} in progress.
 * The copies finish like any other ({@link CopyFinisher}); FinishCopy sheds the leaving
 * member at once unless it was the tail, which goes here once its heartbeat says it applied
 * the map that took its place (until then it may still answer reads as the tail).
 *
 * <p>A plan is made only when the map moved since the last one that found nothing to do, so
 * a balanced cluster costs one cheap check per tick.
 */
final class Rebalancer {
    private static final Logger LOG = LoggerFactory.getLogger(Rebalancer.class);

    private final String nodeId;
    private final int maxMoves;
    private final Supplier<ClusterState> state;
    private final LeaderDuty duty;
    /** The map epoch each live server last said it applied (heartbeats; soft state). */
    private final Map<String, Long> appliedEpochs = new ConcurrentHashMap<>();
    /** The epoch of the last state in which nothing was to move; -1 if none. */
    private long idleEpoch = -1;
    private volatile String notice = "";

    /** @param maxMoves moves in progress at most; 0 turns moving off (drains wait) */
    Rebalancer(String nodeId, int maxMoves, Supplier<ClusterState> state, LeaderDuty duty) {
        if (maxMoves < 0) {
            throw new IllegalArgumentException("maxMoves < 0: " + maxMoves);
        }
        this.nodeId = nodeId;
        this.maxMoves = maxMoves;
        this.state = state;
        this.duty = duty;
    }

    /** A heartbeat said {@code serverId} applied the map of {@code epoch}. */
    void applied(String serverId, long epoch) {
        appliedEpochs.merge(serverId, epoch, Math::max);
    }

    void leadershipChanged() {
        appliedEpochs.clear();
        idleEpoch = -1;
        notice = "";
    }

    /** Why a drain cannot go on, e.g. no server to move a partition to; empty if none. */
    String notice() {
        return notice;
    }

    /** One round on the duty thread: shed what may go, then start the next moves. */
    void tick() {
        ClusterState s = state.get();
        if (maxMoves == 0 || s.epoch() == idleEpoch || !RebalancePlanner.mayMove(s)) {
            idleEpoch = s.epoch();
            return;
        }
        List<CopyEntry> sheds = RebalancePlanner.sheds(s, appliedEpochs);
        if (!sheds.isEmpty()) {
            LOG.info("[{}] {} moved partitions shed their leaving member", nodeId, sheds.size());
            duty.submit(RebalancePlanner.shedCommand(s, sheds));
            s = state.get();
        }
        RebalancePlanner.Plan plan = RebalancePlanner.plan(s, maxMoves);
        notice = plan.stuckDrains() == 0 ? "" : "NOT_ENOUGH_SERVERS: " + plan.stuckDrains()
                + " partitions cannot leave a draining server: no other server may take them";
        if (!plan.isEmpty()) {
            LOG.info("[{}] rebalancing: {} partitions start moving ({})", nodeId,
                    plan.moves().size(), summary(plan.moves()));
            duty.submit(plan.command());
        } else if (sheds.isEmpty() && !waitingForShed(s)) {
            idleEpoch = s.epoch();
        }
    }

    /** True if a moved chain waits for its leaving tail's heartbeat (a later tick sheds it). */
    private static boolean waitingForShed(ClusterState s) {
        int k = s.settings().replication();
        return s.chains().stream().anyMatch(c -> RebalancePlanner.sheddable(c, k));
    }

    private static String summary(List<CopyEntry> moves) {
        Map<String, Integer> to = new TreeMap<>();
        moves.forEach(m -> to.merge(m.getLeaving() + "->" + m.getServerId(), 1, Integer::sum));
        return to.toString();
    }
}
