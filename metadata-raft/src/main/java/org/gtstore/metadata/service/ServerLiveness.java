package org.gtstore.metadata.service;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.gtstore.metadata.liveness.Clock;
import org.gtstore.metadata.liveness.HeartbeatTracker;
import org.gtstore.metadata.liveness.RestartGrace;
import org.gtstore.metadata.liveness.ServerProber;
import org.gtstore.metadata.liveness.ServerProber.ProbeResult;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.ServerEntry;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.MarkDead;
import org.gtstore.proto.MetaCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which data servers the leader judges alive: their heartbeats ({@link HeartbeatTracker}; a
 * server silent past the failure timeout is marked dead), probes of a server someone could not
 * reach (a refused connection means dead, at once or after the restart grace,
 * {@link RestartGrace}), and the grace a new leader and a forming cluster give every server.
 * Its MarkDead commands run on the duty thread like every command of the leader.
 */
final class ServerLiveness {
    private static final Logger LOG = LoggerFactory.getLogger(ServerLiveness.class);

    private final String nodeId;
    private final HeartbeatTracker tracker;
    private final RestartGrace restartGrace;
    private final ServerProber prober;
    private final Supplier<ClusterState> state;
    private final BooleanSupplier leading;
    private final LeaderDuty duty;

    /**
     * @param restartGraceMs how long a server whose connection is refused may take to restart
     *     before it is declared dead (0: at the first refused probe)
     * @param leading true while this member acts as leader
     */
    ServerLiveness(String nodeId, Clock clock, long failureTimeoutMs, long restartGraceMs,
            ServerProber prober, Supplier<ClusterState> state, BooleanSupplier leading,
            LeaderDuty duty) {
        this.nodeId = nodeId;
        this.tracker = new HeartbeatTracker(clock, failureTimeoutMs);
        this.restartGrace = new RestartGrace(clock, restartGraceMs);
        this.prober = prober;
        this.state = state;
        this.leading = leading;
        this.duty = duty;
    }

    /** This member became leader: every server gets the failure timeout of grace. */
    void leadershipGained() {
        tracker.startGrace();
        restartGrace.clear();
    }

    void leadershipLost() {
        tracker.stop();
        restartGrace.clear();
    }

    /** The cluster was just assigned: nobody is judged by silence for {@code graceMs}. */
    void forming(long graceMs) {
        tracker.graceFor(graceMs);
    }

    /**
     * Hears from {@code incarnation} of a server (a heartbeat or a registration); false if that
     * incarnation was found silent and its MarkDead is under way.
     */
    boolean heard(String serverId, long incarnation) {
        return tracker.heartbeat(serverId, incarnation);
    }

    /**
     * A heartbeat: UNKNOWN_SERVER if that incarnation is not the live one, UNAVAILABLE (no
     * lease) if it was found silent and its MarkDead is under way, else OK.
     */
    ErrorCode heartbeat(String serverId, long incarnation) {
        Optional<ServerEntry> s = state.get().server(serverId);
        if (s.isEmpty() || s.get().isDead() || s.get().incarnation() != incarnation) {
            return ErrorCode.UNKNOWN_SERVER;
        }
        // Condemned: answering OK would extend its lease past the moment its chains are given
        // to others.
        return heard(serverId, incarnation) ? ErrorCode.OK : ErrorCode.UNAVAILABLE;
    }

    /**
     * One MarkDead per server silent past the failure timeout, on the duty thread. The
     * candidates are listed once, but each is judged again, against the state and heartbeats
     * as they are right before its own MarkDead is submitted: an earlier MarkDead can take a
     * second to apply under load, and a server heard meanwhile is alive. The verdict condemns
     * that incarnation, so that a heartbeat arriving while its MarkDead applies is refused, not
     * answered with a lease; the MarkDead names the incarnation, so it is rejected at apply if
     * the server re-registered.
     */
    void markSilentServersDead() {
        for (ServerEntry candidate : tracker.expired(state.get().liveServers())) {
            Optional<ServerEntry> now = state.get().server(candidate.id());
            if (now.isEmpty() || now.get().isDead()
                    || now.get().incarnation() != candidate.incarnation()) {
                continue;
            }
            ServerEntry s = now.get();
            if (!tracker.condemnIfSilent(s)) {
                LOG.info("[{}] {} (incarnation {}) was heard again before its turn; alive",
                        nodeId, s.id(), s.incarnation());
                continue;
            }
            String reason = "no heartbeat for " + tracker.silentForMs(s) + " ms";
            LOG.info("[{}] {} (incarnation {}) is silent: {}", nodeId, s.id(), s.incarnation(),
                    reason);
            duty.submit(markDead(s, reason));
        }
    }

    /**
     * Probes a server someone could not reach. A refused connection marks it dead at once, or,
     * with a restart grace, once it has been refused for that long; a probe without an answer
     * proves nothing and the failure timeout decides.
     *
     * @return true if it was marked dead
     */
    CompletableFuture<Boolean> reportUnreachable(String serverId, String reporter) {
        Optional<ServerEntry> s = state.get().server(serverId);
        if (!leading.getAsBoolean() || s.isEmpty() || s.get().isDead()) {
            return CompletableFuture.completedFuture(false);
        }
        ServerEntry target = s.get();
        return prober.probe(target.address()).thenCompose(result -> {
            if (result != ProbeResult.REFUSED) {
                restartGrace.forget(serverId, target.incarnation());
                LOG.info("[{}] {} reported {} unreachable; probe: {}, waiting for the timeout",
                        nodeId, reporter, serverId, result);
                return CompletableFuture.completedFuture(false);
            }
            boolean first = restartGrace.refusedForMs(serverId, target.incarnation()).isEmpty();
            if (!restartGrace.refused(serverId, target.incarnation())) {
                if (first) {
                    LOG.info("[{}] {} reported {} unreachable; probe refused: it has {} ms of"
                            + " restart grace before it is declared dead", nodeId, reporter,
                            serverId, restartGrace.graceMs());
                }
                return CompletableFuture.completedFuture(false);
            }
            return markRefusedDead(target, "connection refused (reported by " + reporter + ")");
        });
    }

    /**
     * The last probe of every server whose restart grace is over: still refused means dead. A
     * server that came back meanwhile registered a new incarnation, so its grace was dropped.
     */
    void probeRefusedServersPastTheirGrace() {
        for (ServerEntry s : restartGrace.due(state.get().liveServers())) {
            prober.probe(s.address()).thenAccept(result -> {
                if (result == ProbeResult.REFUSED) {
                    markRefusedDead(s, "connection refused for the whole restart grace of "
                            + restartGrace.graceMs() + " ms");
                } else {
                    LOG.info("[{}] {} answered a probe ({}) at the end of its restart grace",
                            nodeId, s.id(), result);
                }
            });
        }
    }

    /** Marks this incarnation dead unless it is no longer the live one. */
    private CompletableFuture<Boolean> markRefusedDead(ServerEntry target, String reason) {
        return duty.run(() -> {
            Optional<ServerEntry> now = state.get().server(target.id());
            if (!leading.getAsBoolean() || now.isEmpty() || now.get().isDead()
                    || now.get().incarnation() != target.incarnation()) {
                return false;
            }
            return duty.submit(markDead(target, reason)).getCode() == ErrorCode.OK;
        });
    }

    private static MetaCommand markDead(ServerEntry s, String reason) {
        return MetaCommand.newBuilder().setMarkDead(MarkDead.newBuilder().setServerId(s.id())
                .setIncarnation(s.incarnation()).setReason(reason)).build();
    }
}
