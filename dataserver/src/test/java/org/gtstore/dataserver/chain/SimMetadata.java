package org.gtstore.dataserver.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.gtstore.metadata.command.Commands;
import org.gtstore.metadata.command.Outcome;
import org.gtstore.metadata.liveness.ServerProber.ProbeResult;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.ServerEntry;
import org.gtstore.metadata.model.Settings;
import org.gtstore.metadata.service.MetadataLeader;
import org.gtstore.metadata.statemachine.AppliedMap;
import org.gtstore.proto.DrainServer;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.HeartbeatRequest;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.MetaCommandReply;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.PartitionTip;
import org.gtstore.proto.RegisterRequest;
import org.gtstore.proto.ReportCaughtUpRequest;

/**
 * The real metadata for the chain simulation, on the simulation's one thread: a
 * {@link MetadataLeader} driven as MetadataLeaderTest drives it. Its duty executor is a queue
 * run to the end by every call here; its failure timeout never passes, so nobody is found
 * silent (deaths come from kills, reported unreachable and probed: nothing listens any more),
 * and its clock is the simulation's, for the revive wait; and its log
 * applies each command at once with {@link Commands#apply}, which validates it against the state
 * it applies to, as the state machine's startTransaction would. The map the data servers get is
 * {@link AppliedMap}'s wire form, the one the metadata service sends.
 */
final class SimMetadata {
    /**
     * How long an unavailable partition waits for its last replicas' tips: long enough that
     * last replicas restarted together all report, short enough to expire while some stay dead.
     */
    static final long REVIVE_WAIT_MS = 4_000;
    /** Moves of partitions in progress at most, as the real leader bounds them. */
    static final int REBALANCE_MOVES = 4;
    private final ArrayDeque<Runnable> duty = new ArrayDeque<>();
    private final Consumer<String> onChange;
    private final MetadataLeader leader;
    private AppliedMap applied = AppliedMap.of(ClusterState.EMPTY, 0);
    /** Joining replicas made tails by FinishCopy. */
    int copiesFinished;
    /** Partitions that lost every replica and were served again by one of them. */
    int revived;
    /** Of those, the ones that chose among several last replicas. */
    int revivedFromSeveral;
    /** Of those, the ones revived by the leader after the revive wait (ReviveChains). */
    int revivedAfterWait;
    /** Settling chains ordered by their replicas' tips. */
    int settled;
    /** Moves of partitions started (a copy taking the place of a leaving member). */
    int movesStarted;
    /** Leaving members shed from their chains while alive (at FinishCopy or ShedLeaving). */
    int shedLive;
    /** Drains started by the schedule. */
    int drains;

    /**
     * @param alive    whether a server's process is listening (what the leader's probe finds)
     * @param clockMs  the simulated clock: it drives the revive wait only, as the failure
     *                 timeout is too long for anyone to be found silent
     * @param onChange told the cause of every applied change (the map has moved one epoch)
     */
    SimMetadata(Settings settings, Predicate<String> alive, LongSupplier clockMs,
            Consumer<String> onChange) {
        this.onChange = onChange;
        this.leader = new MetadataLeader("sim-meta",
                new MetadataLeader.Options(settings, Long.MAX_VALUE / 4_000_000, 0, 1000, 0, 0,
                        REVIVE_WAIT_MS, 0, REBALANCE_MOVES),
                () -> clockMs.getAsLong() * 1_000_000,
                address -> CompletableFuture.completedFuture(alive.test(
                        address.substring(0, address.lastIndexOf(':')))
                        ? ProbeResult.REACHABLE : ProbeResult.REFUSED),
                this::submit, () -> applied.state(), () -> true, duty::add);
    }

    ClusterState state() {
        return applied.state();
    }

    PartitionMap map() {
        return applied.map();
    }

    List<String> replicas(int partition) {
        return state().chain(partition).replicas();
    }

    boolean declaredDead(String serverId) {
        return state().server(serverId).map(ServerEntry::isDead).orElse(false);
    }

    /** A Register from the process {@code processId} of {@code serverId}; it must be OK. */
    MetaCommandReply register(String serverId, String processId) {
        MetaCommandReply r = await(leader.register(RegisterRequest.newBuilder()
                .setServerId(serverId).setAddress(serverId + ":1").setStorageId("disk-" + serverId)
                .setProcessId(processId).build()));
        assertEquals(ErrorCode.OK, r.getCode(), "register " + serverId + ": " + r.getMessage());
        return r;
    }

    /** The operator drains {@code serverId} (or cancels its drain); true if it applied. */
    boolean drain(String serverId, boolean drain) {
        MetaCommand cmd = MetaCommand.newBuilder().setDrain(DrainServer.newBuilder()
                .setServerId(serverId).setDrain(drain)).build();
        return await(leader.operator(cmd)).getCode() == ErrorCode.OK;
    }

    /** Someone could not reach {@code serverId}; the leader probes it. */
    void reportUnreachable(String serverId) {
        await(leader.reportUnreachable(serverId, "sim"));
    }

    /**
     * A tail's caught-up report arrives (its answer is not needed). It waits on the duty queue
     * until the next call here runs it, so reports arriving together share one FinishCopy.
     */
    void reportCaughtUp(String reporter, CaughtUpReport r) {
        leader.reportCaughtUp(ReportCaughtUpRequest.newBuilder().setReporter(reporter)
                .setPartition(r.partition()).setServerId(r.joining()).setMapEpoch(r.mapEpoch())
                .setSeq(r.seq()).setJoiningIncarnation(r.joiningIncarnation()).build());
    }

    /** A live server's heartbeat says which map it applied (its answer is not needed). */
    void heartbeat(String serverId, long appliedEpoch) {
        long incarnation = state().server(serverId).map(ServerEntry::incarnation).orElse(0L);
        leader.heartbeat(HeartbeatRequest.newBuilder().setServerId(serverId)
                .setIncarnation(incarnation).setMapEpoch(appliedEpoch).build());
    }

    /** A live server's tips arrive with its heartbeat. */
    void recordTips(String serverId, List<PartitionTip> tips) {
        long incarnation = state().server(serverId).map(ServerEntry::incarnation).orElse(0L);
        await(leader.recordTips(serverId, incarnation, tips));
    }

    /**
     * One round of leader duties, after the tasks queued before it. The first one logs
     * InitCluster with the settings.
     */
    void tick() {
        runDuty();
        leader.tick();
        runDuty();
    }

    /** The leader's log: every command applies at once. */
    private CompletableFuture<MetaCommandReply> submit(MetaCommand cmd) {
        Outcome o = Commands.apply(state(), cmd);
        if (o.changed()) {
            for (int p = 0; p < o.state().chains().size() && state().isAssigned(); p++) {
                boolean back = state().chain(p).isUnavailable()
                        && !o.state().chain(p).isUnavailable();
                revived += back ? 1 : 0;
                revivedFromSeveral += back && state().chain(p).lastReplicas().size() > 1 ? 1 : 0;
            }
            if (cmd.hasRevive()) {
                revivedAfterWait += cmd.getRevive().getEntriesCount();
            }
            for (int p = 0; p < o.state().chains().size() && state().isAssigned(); p++) {
                settled += state().chain(p).settling() && !o.state().chain(p).settling()
                        && !o.state().chain(p).isUnavailable() ? 1 : 0;
            }
            if (cmd.hasFinishCopy()) {
                copiesFinished += cmd.getFinishCopy().getEntriesCount();
                for (var e : cmd.getFinishCopy().getEntriesList()) {
                    shedLive += state().chain(e.getPartition()).hasLeaving()
                            && !o.state().chain(e.getPartition()).hasLeaving() ? 1 : 0;
                }
            }
            if (cmd.hasStartCopy()) {
                movesStarted += (int) cmd.getStartCopy().getEntriesList().stream()
                        .filter(e -> !e.getLeaving().isEmpty()).count();
            }
            shedLive += cmd.hasShed() ? cmd.getShed().getEntriesCount() : 0;
            drains += cmd.hasDrain() && cmd.getDrain().getDrain() ? 1 : 0;
            applied = applied.next(o.state(), applied.appliedIndex() + 1);
            onChange.accept(o.state().cause());
        }
        return CompletableFuture.completedFuture(o.reply());
    }

    /** Runs the queued duty tasks in order, as the leader's one duty thread would. */
    private void runDuty() {
        for (Runnable task = duty.poll(); task != null; task = duty.poll()) {
            task.run();
        }
    }

    private <T> T await(CompletableFuture<T> f) {
        runDuty();
        assertTrue(f.isDone(), "a metadata call did not complete");
        return f.join();
    }
}
