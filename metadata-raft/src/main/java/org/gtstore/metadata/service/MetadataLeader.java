package org.gtstore.metadata.service;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.gtstore.metadata.command.ChainPlacement;
import org.gtstore.metadata.command.Commands;
import org.gtstore.metadata.command.Rejection;
import org.gtstore.metadata.command.ReplicaRestorePlanner;
import org.gtstore.metadata.liveness.Clock;
import org.gtstore.metadata.liveness.RestartGrace;
import org.gtstore.metadata.liveness.ServerProber;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.ServerEntry;
import org.gtstore.metadata.model.Settings;
import org.gtstore.proto.CopyProgress;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.HeartbeatRequest;
import org.gtstore.proto.InitCluster;
import org.gtstore.proto.MarkDead;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.MetaCommandReply;
import org.gtstore.proto.PartitionTip;
import org.gtstore.proto.RecordTips;
import org.gtstore.proto.RegisterRequest;
import org.gtstore.proto.RegisterServer;
import org.gtstore.proto.ReportCaughtUpRequest;
import org.gtstore.proto.ReviveChains;
import org.gtstore.proto.ReviveEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The duties only the Raft leader performs. Every decision that leads to a log command runs on
 * one duty executor, one at a time, and waits for its command to apply before the next, so the
 * leader never races itself: a command computed from the applied state is applied to that same
 * state (a leader change can still make one stale; apply then rejects it). Its parts, wired
 * here: {@link LeaderDuty} (the duty thread and its commands), {@link ServerLiveness} (which
 * servers are alive), {@link CopyFinisher} (caught-up reports) and {@link RevivalWait}; this
 * class keeps registration, the first assignment, restoring K and the member's notice.
 *
 * <p>Handles: Register (new incarnation; a repeat by the same process gets the live one),
 * Heartbeat (soft state, not logged), ReportUnreachable (probe at once; a refused connection
 * means dead, at once or after the restart grace), ReportCaughtUp (a FinishCopy as the next
 * duty task, see below), and on every {@link #tick}: InitCluster from the flags, MarkDead for
 * servers silent past the failure timeout (one per server, each judged right before it is
 * submitted), a last probe of servers refused past their restart grace, the first AssignChains, a
 * FinishCopy for any catch-up still waiting, and one StartCopy for every chain that can be
 * restored to K.
 * Every map epoch is pushed to every data server and watcher, and data servers re-sync the
 * chains that changed, so a tick adds at most those few epochs however many partitions move.
 *
 * <p>Caught-up reports go first. A joining replica that has caught up is fed live by a tail
 * that commits only what it acknowledged (a gated tail), so until FinishCopy makes it the tail
 * every write of that partition takes one more hop and waits for it. A report therefore does not
 * wait for the next tick (behind its MarkDead and StartCopy commands): it queues a FinishCopy as
 * the next duty task, and every report that arrives before that task runs (or while its command
 * applies) joins it or the next one, so reports arriving together still cost one epoch.
 * Consecutive FinishCopy commands are at least {@code finishSpacingMs} apart: restoring K after
 * a death finishes hundreds of copies within a second or two, and each epoch is pushed to
 * every server and client, which re-sync what changed. Unspaced, that was 20-30 epochs in 2-3 s
 * on a 2-core machine, enough CPU to make the leader answer heartbeats late: leases lapsed
 * (writes refused) and live servers were declared dead. Spaced by 300 ms it is 5-7.
 */
public final class MetadataLeader {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataLeader.class);

    /**
     * @param initialSettings logged by the first leader if the log holds none
     * @param bootstrapWaitMs after this long as leader, assign with K servers even if fewer
     *                        than initialServers registered
     * @param restartGraceMs how long a server whose connection is refused may take to restart
     *                       before it is declared dead (0: at the first refused probe); see
     *                       {@link RestartGrace}
     * @param reviveWaitMs how long an unavailable chain waits for its last replicas' tips once
     *                     one came in, before the best of those heard serves it; see
     *                     {@link RevivalWait}
     * @param formingGraceMs after the first assignment, how long no server is judged silent
     *                       (its ten JVMs starting on two cores make heartbeats late); 0: none
     */
    public record Options(Settings initialSettings, long failureTimeoutMs, long bootstrapWaitMs,
                          long commandTimeoutMs, long restartGraceMs, long finishSpacingMs,
                          long reviveWaitMs, long formingGraceMs, int rebalanceMoves) {
        /**
         * Options without a restart grace (a refused probe means dead at once) or finish
         * spacing (every FinishCopy goes as soon as it can), and a revive wait of five failure
         * timeouts, and no moves of partitions (rebalancing and drains off).
         */
        public Options(Settings initialSettings, long failureTimeoutMs, long bootstrapWaitMs,
                       long commandTimeoutMs) {
            this(initialSettings, failureTimeoutMs, bootstrapWaitMs, commandTimeoutMs, 0, 0,
                    5 * failureTimeoutMs, 0, 0);
        }
    }

    private final String nodeId;
    private final Options options;
    private final Clock clock;
    private final LeaderDuty duty;
    private final ServerLiveness liveness;
    private final RevivalWait revivalWait;
    private final Supplier<ClusterState> state;
    private final BooleanSupplier leaderReady;
    private final Map<String, CopyProgress> progress = new ConcurrentHashMap<>();
    private final CopyFinisher copyFinisher;
    private final Rebalancer rebalancer;
    private volatile boolean leading;
    private volatile long leadingSinceNs;
    private volatile String notice = "";
    private String noticeLogKey = "";
    /** The epoch whose restore plan was empty (every short chain stuck); -1 if none. */
    private long stuckPlanEpoch = -1;

    public MetadataLeader(String nodeId, Options options, Clock clock, ServerProber prober,
                          CommandSubmitter submitter, Supplier<ClusterState> state,
                          BooleanSupplier leaderReady, Executor duty) {
        this.nodeId = nodeId;
        this.options = options;
        this.clock = clock;
        this.duty = new LeaderDuty(nodeId, submitter, options.commandTimeoutMs(), duty, state);
        this.liveness = new ServerLiveness(nodeId, clock, options.failureTimeoutMs(),
                options.restartGraceMs(), prober, state, () -> leading, this.duty);
        this.revivalWait = new RevivalWait(clock, options.reviveWaitMs());
        this.copyFinisher = new CopyFinisher(nodeId, clock, options.finishSpacingMs(), state,
                this.duty::submit, this.duty::reply, () -> leading, duty);
        this.rebalancer = new Rebalancer(nodeId, options.rebalanceMoves(), state, this.duty);
        this.state = state;
        this.leaderReady = leaderReady;
    }

    /** True while this member acts as leader (since the last tick that saw it ready). */
    public boolean isLeading() {
        return leading;
    }

    /**
     * Why assignment, restoring K or a drain is held back, e.g. NOT_ENOUGH_SERVERS; empty if
     * not.
     */
    public String notice() {
        String moves = rebalancer.notice();
        return notice.isEmpty() ? moves : moves.isEmpty() ? notice : notice + "; " + moves;
    }

    /**
     * Copy progress reported by tails in heartbeats (leader only, soft state), of the copies
     * the map still shows under way.
     */
    public List<CopyProgress> progress() {
        ClusterState s = state.get();
        return progress.values().stream().filter(p -> p.getPartition() >= 0
                && p.getPartition() < s.chains().size()
                && s.chain(p.getPartition()).joining().equals(p.getServerId())).toList();
    }

    /** One round of leader duties. Runs on the duty executor. */
    public void tick() {
        if (!observeLeadership()) {
            return;
        }
        ClusterState s = state.get();
        if (!s.hasSettings()) {
            Settings first = options.initialSettings();
            if (first.clusterId().isEmpty()) {
                first = first.withClusterId(UUID.randomUUID().toString());
            }
            duty.submit(MetaCommand.newBuilder().setInit(InitCluster.newBuilder()
                    .setSettings(first.toProto())).build());
            return;
        }
        liveness.markSilentServersDead();
        liveness.probeRefusedServersPastTheirGrace();
        if (!state.get().isAssigned()) {
            assignIfReady(state.get());
        } else {
            copyFinisher.finishDue();
            restoreReplication();
            rebalancer.tick();
            reviveAfterWaiting();
        }
    }

    /**
     * One ReviveChains for the unavailable chains that waited their revive wait with some of
     * their last replicas silent: the best of those heard serves each.
     */
    private void reviveAfterWaiting() {
        List<ReviveEntry> due = revivalWait.due(state.get());
        if (!due.isEmpty()) {
            LOG.warn("[{}] {} unavailable partitions waited {} ms for their last replicas:"
                    + " serving them again from the best of those that reported", nodeId,
                    due.size(), revivalWait.waitMs());
            duty.submit(MetaCommand.newBuilder().setRevive(ReviveChains.newBuilder()
                    .addAllEntries(due)).build());
        }
    }

    private boolean observeLeadership() {
        boolean ready = leaderReady.getAsBoolean();
        if (ready && !leading) {
            liveness.leadershipGained();
            revivalWait.clear();
            progress.clear();
            leadingSinceNs = clock.nanoTime();
            stuckPlanEpoch = -1;
            rebalancer.leadershipChanged();
            leading = true;
            LOG.info("[{}] leading: every data server has {} ms of grace", nodeId,
                    options.failureTimeoutMs());
        } else if (!ready && leading) {
            liveness.leadershipLost();
            leading = false;
            notice = "";
            noticeLogKey = "";
            copyFinisher.leadershipLost();
            LOG.info("[{}] no longer leading", nodeId);
        }
        return ready;
    }

    private void assignIfReady(ClusterState s) {
        Settings settings = s.settings();
        List<ServerEntry> live = s.liveServers().stream().filter(ServerEntry::takesPositions)
                .toList();
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - leadingSinceNs);
        if (live.size() < settings.replication()) {
            setNotice("NOT_ENOUGH_SERVERS: " + live.size() + " live data servers, K="
                    + settings.replication() + "; chains are not assigned");
            return;
        }
        if (live.size() < settings.initialServers() && waitedMs < options.bootstrapWaitMs()) {
            setNotice("waiting for " + settings.initialServers() + " initial servers ("
                    + live.size() + " registered, " + waitedMs + " ms of "
                    + options.bootstrapWaitMs() + " ms bootstrap wait)",
                    "waiting with " + live.size());
            return;
        }
        List<String> ids = live.stream().map(ServerEntry::id).toList();
        MetaCommandReply assigned = duty.submit(MetaCommand.newBuilder().setAssign(
                ChainPlacement.assignCommand(ids, settings.partitions(), settings.replication(),
                        s.epoch())).build());
        if (assigned.getCode() == ErrorCode.OK && options.formingGraceMs() > 0) {
            liveness.forming(options.formingGraceMs());
        }
        setNotice("");
    }

    /** One StartCopy for every under-replicated chain that can get a joining replica. */
    private void restoreReplication() {
        ClusterState s = state.get();
        if (!ReplicaRestorePlanner.needsCopies(s)) {
            setNotice("");
            return;
        }
        if (s.epoch() == stuckPlanEpoch) {
            return;     // nothing moved since the last plan found no server to copy to
        }
        ReplicaRestorePlanner.Plan plan = ReplicaRestorePlanner.plan(s);
        stuckPlanEpoch = plan.isEmpty() ? s.epoch() : -1;
        if (!plan.isEmpty()) {
            LOG.info("[{}] restoring K: {} partitions get a joining replica", nodeId,
                    plan.copies().size());
            duty.submit(plan.command());
        }
        if (plan.stuck() > 0) {
            setNotice("NOT_ENOUGH_SERVERS: " + plan.stuck() + " partitions have fewer than K="
                    + state.get().settings().replication() + " replicas and no spare server");
        } else {
            setNotice("");
        }
    }

    private void setNotice(String next) {
        setNotice(next, next);
    }

    /**
     * Shows {@code next} in the member status; logs it only when {@code logKey} changes, so a
     * notice that counts milliseconds is logged once per situation, not once per tick.
     */
    private void setNotice(String next, String logKey) {
        if (!logKey.equals(noticeLogKey)) {
            if (next.startsWith("NOT_ENOUGH_SERVERS")) {
                LOG.warn("[{}] {}", nodeId, next);
            } else if (!next.isEmpty()) {
                LOG.info("[{}] {}", nodeId, next);
            }
            noticeLogKey = logKey;
        }
        notice = next;
    }

    /**
     * An operator's DrainServer or ForgetServer: checked against the applied state (one clear
     * rejection, nothing logged) and logged; completes once it applied.
     */
    public CompletableFuture<MetaCommandReply> operator(MetaCommand cmd) {
        return duty.run(() -> {
            if (!leading) {
                return duty.reply(ErrorCode.NOT_LEADER, "not the leader");
            }
            if (!cmd.hasDrain() && !cmd.hasForget()) {
                return duty.reply(ErrorCode.INVALID_ARGUMENT, "not an operator command: "
                        + cmd.getCommandCase());
            }
            Optional<Rejection> bad = Commands.validate(state.get(), cmd);
            if (bad.isPresent()) {
                return duty.reply(bad.get().code(), bad.get().message());
            }
            LOG.info("[{}] operator: {}", nodeId, cmd.getCommandCase());
            return duty.submit(cmd);
        });
    }

    /**
     * A stopping data server asks to be declared gone now (it has stopped serving): a MarkDead
     * of that incarnation, so its chains close up at once. With a restart grace the server is
     * expected back with its data, so nothing is logged and the grace decides, as for a kill.
     */
    public CompletableFuture<MetaCommandReply> leave(String serverId, long incarnation) {
        return duty.run(() -> {
            if (!leading) {
                return duty.reply(ErrorCode.NOT_LEADER, "not the leader");
            }
            Optional<ServerEntry> s = state.get().server(serverId);
            if (s.isEmpty() || s.get().isDead() || s.get().incarnation() != incarnation) {
                return duty.reply(ErrorCode.UNKNOWN_SERVER, serverId + " incarnation "
                        + incarnation + " is not a live registration");
            }
            if (options.restartGraceMs() > 0) {
                return duty.reply(ErrorCode.OK, serverId + " keeps its positions for the"
                        + " restart grace (" + options.restartGraceMs() + " ms)");
            }
            LOG.info("[{}] {} is stopping: declaring incarnation {} gone now", nodeId, serverId,
                    incarnation);
            return duty.submit(MetaCommand.newBuilder().setMarkDead(MarkDead.newBuilder()
                    .setServerId(serverId).setIncarnation(incarnation)
                    .setReason("stopped (it left)")).build());
        });
    }

    /**
     * Registers a data server with the next incarnation. Completes after the command applied,
     * so the caller can answer with the map that includes it. A repeat by the process that made
     * the live registration (see {@link #isRepeat}) is answered with that registration and
     * logs nothing: a server declared dead may send a Register for every heartbeat refused
     * while its first one waits on the duty thread, and a Register answered TIMEOUT whose
     * command applied later is retried; neither becomes another incarnation and map epoch.
     *
     * <p>The Register itself is news that the process is alive, so an OK or TIMEOUT (the
     * command may still apply) counts as hearing the incarnation it proposes. Otherwise a
     * command that applied after its TIMEOUT left an incarnation never heard from, and the next
     * tick judged it silent since this leader's grace began and marked it dead at once.
     */
    public CompletableFuture<MetaCommandReply> register(RegisterRequest r) {
        return duty.run(() -> {
            if (!leading) {
                return duty.reply(ErrorCode.NOT_LEADER, "not the leader");
            }
            String invalid = RegisterChecks.invalid(r);
            if (invalid != null) {
                return duty.reply(ErrorCode.INVALID_ARGUMENT, invalid);
            }
            Optional<ClusterIdentity.Refusal> refused = ClusterIdentity.check(state.get(), r);
            if (refused.isPresent()) {
                return duty.reply(refused.get().code(), refused.get().message());
            }
            Optional<ServerEntry> current = state.get().server(r.getServerId());
            if (current.isPresent() && isRepeat(current.get(), r)) {
                return repeatedRegistration(current.get(), r);
            }
            if (current.isPresent() && isImpostor(current.get(), r)) {
                ServerEntry s = current.get();
                return duty.reply(ErrorCode.ID_IN_USE, s.id() + " is alive at " + s.address()
                        + " with another data directory; a server at " + r.getAddress()
                        + " cannot register as " + s.id() + ": give it another --id (or stop"
                        + " the one at " + s.address() + " and let it be declared dead first)");
            }
            long incarnation = current.map(ServerEntry::incarnation).orElse(0L) + 1;
            MetaCommandReply reply = duty.submit(MetaCommand.newBuilder().setRegister(
                    RegisterServer.newBuilder().setServerId(r.getServerId())
                            .setAddress(r.getAddress()).setIncarnation(incarnation)
                            .setStorageId(r.getStorageId()).setProcessId(r.getProcessId()))
                    .build());
            if (reply.getCode() == ErrorCode.OK || reply.getCode() == ErrorCode.TIMEOUT) {
                liveness.heard(r.getServerId(), incarnation);
            }
            if (reply.getCode() != ErrorCode.OK && reply.getCode() != ErrorCode.NOT_LEADER) {
                // The same registration may have applied meanwhile (an earlier Register of
                // this process that timed out): then this is a repeat after all.
                Optional<ServerEntry> now = state.get().server(r.getServerId());
                if (now.isPresent() && isRepeat(now.get(), r)) {
                    return repeatedRegistration(now.get(), r);
                }
            }
            return reply;
        });
    }

    /**
     * True if {@code r} comes from the process that made the live registration {@code s}, with
     * its storage id and address. Either it carries that registration's process id (a random
     * id each process picks at start and sends with every Register), or it holds a non-zero
     * incarnation no newer than the live one: a process learns an incarnation only from a
     * Register answer and a new one starts at 0, and only one process at a time holds a
     * storage id (its store is locked). The process id also covers a repeat sent before the
     * process heard any answer, e.g. a retry after TIMEOUT whose command applied later.
     */
    private static boolean isRepeat(ServerEntry s, RegisterRequest r) {
        boolean sameProcess = !r.getProcessId().isEmpty()
                && r.getProcessId().equals(s.processId());
        boolean heldIt = r.getIncarnation() > 0 && r.getIncarnation() <= s.incarnation();
        return !s.isDead() && (sameProcess || heldIt)
                && s.storageId().equals(r.getStorageId()) && s.address().equals(r.getAddress());
    }

    /**
     * True if {@code r} names the id of a live registration made by another process at
     * another address with another data directory: an operator's mistake (two hosts given one
     * id), which would otherwise take the live server out of every chain. A server that comes
     * back at its own address with a new disk, or at a new address with its own disk, is not
     * one; nor is any once the old one was declared dead.
     */
    private static boolean isImpostor(ServerEntry s, RegisterRequest r) {
        return !s.isDead() && !s.address().equals(r.getAddress())
                && !s.storageId().equals(r.getStorageId());
    }

    private MetaCommandReply repeatedRegistration(ServerEntry s, RegisterRequest r) {
        if (!liveness.heard(s.id(), s.incarnation())) {
            return duty.reply(ErrorCode.UNAVAILABLE, s.id() + ": incarnation " + s.incarnation()
                    + " was found silent and is being marked dead");
        }
        LOG.info("[{}] {} registered again (holding incarnation {}): already incarnation {},"
                + " no new epoch", nodeId, s.id(), r.getIncarnation(), s.incarnation());
        return MetaCommandReply.newBuilder().setCode(ErrorCode.OK)
                .setMessage(s.id() + " is already registered as incarnation " + s.incarnation())
                .setEpoch(state.get().epoch()).setIncarnation(s.incarnation()).build();
    }

    /**
     * Records a heartbeat; UNKNOWN_SERVER if that incarnation is not the live one, UNAVAILABLE
     * (no lease) if it was found silent and its MarkDead is under way.
     */
    public ErrorCode heartbeat(HeartbeatRequest h) {
        if (!leading) {
            return ErrorCode.NOT_LEADER;
        }
        ErrorCode heard = liveness.heartbeat(h.getServerId(), h.getIncarnation());
        if (heard != ErrorCode.OK) {
            return heard;
        }
        rebalancer.applied(h.getServerId(), h.getMapEpoch());
        for (CopyProgress p : h.getProgressList()) {
            progress.put(p.getPartition() + "/" + p.getServerId(), p);
        }
        if (h.getTipsCount() > 0) {
            recordTips(h.getServerId(), h.getIncarnation(), h.getTipsList());
        }
        return ErrorCode.OK;
    }

    /**
     * Logs a RecordTips for the tips a settling chain still awaits (on the duty thread; a
     * server repeats its tips with every heartbeat until the map has them, so none is queued
     * twice while the state already holds it). The future says whether one was logged.
     */
    public CompletableFuture<Boolean> recordTips(String serverId, long incarnation,
                                                 List<PartitionTip> tips) {
        MetaCommand cmd = MetaCommand.newBuilder().setRecordTips(RecordTips.newBuilder()
                .setServerId(serverId).setIncarnation(incarnation).addAllTips(tips)).build();
        return duty.run(() -> leading && Commands.validate(state.get(), cmd).isEmpty()
                && duty.submit(cmd).getCode() == ErrorCode.OK);
    }

    /**
     * Probes a server someone could not reach (see {@link ServerLiveness#reportUnreachable}).
     *
     * @return true if it was marked dead
     */
    public CompletableFuture<Boolean> reportUnreachable(String serverId, String reporter) {
        return liveness.reportUnreachable(serverId, reporter);
    }

    /**
     * A tail says its joining replica has caught up: make it the tail. The report joins the
     * FinishCopy queued as the next duty task, or within the finish spacing the first tick's
     * after it (see the class comment), which makes every report it holds the tail in one
     * epoch; the future completes once that command applied.
     */
    public CompletableFuture<MetaCommandReply> reportCaughtUp(ReportCaughtUpRequest r) {
        return duty.run(() -> {
            if (!leading) {
                return CompletableFuture.completedFuture(
                        duty.reply(ErrorCode.NOT_LEADER, "not the leader"));
            }
            progress.remove(r.getPartition() + "/" + r.getServerId());
            return copyFinisher.report(r);
        }).thenCompose(f -> f);
    }
}
