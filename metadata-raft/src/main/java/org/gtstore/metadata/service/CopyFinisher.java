package org.gtstore.metadata.service;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.gtstore.metadata.liveness.Clock;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.metadata.model.ServerEntry;
import org.gtstore.proto.CopyEntry;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.FinishCopy;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.MetaCommandReply;
import org.gtstore.proto.ReportCaughtUpRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's batching of caught-up reports into FinishCopy commands (see {@link
 * MetadataLeader}'s class comment: a report queues a FinishCopy as the next duty task, reports
 * arriving together share it, and consecutive FinishCopy commands are at least the finish
 * spacing apart). Every method runs on the leader's duty thread.
 */
final class CopyFinisher {
    private static final Logger LOG = LoggerFactory.getLogger(CopyFinisher.class);

    /** A ReportCaughtUp waiting for the next FinishCopy batch, and everyone waiting on it. */
    private record CaughtUp(ReportCaughtUpRequest report,
                            List<CompletableFuture<MetaCommandReply>> waiters) {
    }

    private final String nodeId;
    private final Clock clock;
    private final long spacingMs;
    private final Supplier<ClusterState> state;
    private final Function<MetaCommand, MetaCommandReply> submit;
    private final BiFunction<ErrorCode, String, MetaCommandReply> reply;
    private final BooleanSupplier leading;
    private final Executor duty;
    /** Reports not yet in a FinishCopy, by partition. */
    private final Map<Integer, CaughtUp> caughtUp = new TreeMap<>();
    /** A FinishCopy task is queued on the duty executor. */
    private boolean finishQueued;
    /** When the last FinishCopy was submitted. */
    private long lastFinishNs = Long.MIN_VALUE / 2;

    /**
     * @param submit logs a command and waits for it (on the duty thread)
     * @param reply a reply with the code and message at the current epoch
     */
    CopyFinisher(String nodeId, Clock clock, long spacingMs, Supplier<ClusterState> state,
            Function<MetaCommand, MetaCommandReply> submit,
            BiFunction<ErrorCode, String, MetaCommandReply> reply, BooleanSupplier leading,
            Executor duty) {
        this.nodeId = nodeId;
        this.clock = clock;
        this.spacingMs = spacingMs;
        this.state = state;
        this.submit = submit;
        this.reply = reply;
        this.leading = leading;
        this.duty = duty;
    }

    /**
     * Takes a report that holds against the state (else answers why not): it joins the
     * FinishCopy queued as the next duty task; the future completes once that command applied.
     */
    CompletableFuture<MetaCommandReply> report(ReportCaughtUpRequest r) {
        Optional<MetaCommandReply> stale = check(state.get(), r);
        if (stale.isPresent()) {
            return CompletableFuture.completedFuture(stale.get());
        }
        CompletableFuture<MetaCommandReply> done = new CompletableFuture<>();
        CaughtUp pending = caughtUp.get(r.getPartition());
        if (pending != null && pending.report().getServerId().equals(r.getServerId())) {
            pending.waiters().add(done);
        } else {
            if (pending != null) {
                answer(List.of(pending), reply.apply(ErrorCode.INVALID_ARGUMENT,
                        "superseded by a report for " + r.getServerId()));
            }
            caughtUp.put(r.getPartition(), new CaughtUp(r, new ArrayList<>(List.of(done))));
        }
        queueFinish();
        return done;
    }

    /** Leadership is lost: every waiting report is answered NOT_LEADER. */
    void leadershipLost() {
        answer(caughtUp.values(), reply.apply(ErrorCode.NOT_LEADER, "not the leader"));
        caughtUp.clear();
    }

    /**
     * Makes every joining replica reported and not yet finished a tail, in one FinishCopy,
     * unless the last one is more recent than the spacing (a later tick takes these). Reports
     * that went stale meanwhile (their chain changed) are answered and dropped, so the batch is
     * valid as a whole.
     */
    void finishDue() {
        long now = clock.nanoTime();
        if (caughtUp.isEmpty() || now - lastFinishNs < TimeUnit.MILLISECONDS.toNanos(spacingMs)) {
            return;
        }
        lastFinishNs = now;
        ClusterState s = state.get();
        List<CaughtUp> batch = new ArrayList<>();
        FinishCopy.Builder finish = FinishCopy.newBuilder().setExpectedEpoch(s.epoch());
        for (CaughtUp c : caughtUp.values()) {
            Optional<MetaCommandReply> stale = check(s, c.report());
            if (stale.isPresent()) {
                answer(List.of(c), stale.get());
            } else {
                batch.add(c);
                finish.addEntries(CopyEntry.newBuilder().setPartition(c.report().getPartition())
                        .setServerId(c.report().getServerId())
                        .setIncarnation(c.report().getJoiningIncarnation()));
            }
        }
        caughtUp.clear();
        if (!batch.isEmpty()) {
            LOG.info("[{}] {} joining replicas caught up; making them tails", nodeId,
                    batch.size());
            answer(batch, submit.apply(MetaCommand.newBuilder().setFinishCopy(finish).build()));
        }
    }

    /**
     * Queues one FinishCopy task unless one is queued already: the task runs after the duty
     * tasks queued before it, so the reports among them join its batch.
     */
    private void queueFinish() {
        if (finishQueued) {
            return;
        }
        finishQueued = true;
        duty.execute(() -> {
            finishQueued = false;
            if (leading.getAsBoolean()) {
                finishDue();
            }
        });
    }

    /**
     * Empty if the report still holds against the state, else the reply that says why not (OK
     * for a retried report whose replica is already a member: the tail may retry after a lost
     * answer).
     */
    private Optional<MetaCommandReply> check(ClusterState s, ReportCaughtUpRequest r) {
        if (!s.isAssigned() || r.getPartition() < 0 || r.getPartition() >= s.chains().size()) {
            return Optional.of(reply.apply(ErrorCode.INVALID_ARGUMENT,
                    "no such partition: " + r.getPartition()));
        }
        PartitionChain c = s.chain(r.getPartition());
        if (!r.getServerId().isEmpty() && c.contains(r.getServerId())) {
            return Optional.of(reply.apply(ErrorCode.OK, "partition " + r.getPartition() + ": "
                    + r.getServerId() + " is already a member since epoch " + c.epoch()));
        }
        if (c.epoch() > r.getMapEpoch()) {
            return Optional.of(reply.apply(ErrorCode.EPOCH_MISMATCH, "partition "
                    + r.getPartition() + " changed at epoch " + c.epoch()
                    + " after the report's epoch " + r.getMapEpoch()));
        }
        if (r.getServerId().isEmpty() || !c.joining().equals(r.getServerId())) {
            return Optional.of(reply.apply(ErrorCode.INVALID_ARGUMENT, "partition "
                    + r.getPartition() + ": " + r.getServerId() + " is not its joining replica"));
        }
        long incarnation = s.server(r.getServerId()).map(ServerEntry::incarnation).orElse(0L);
        if (r.getJoiningIncarnation() != incarnation) {
            return Optional.of(reply.apply(ErrorCode.EPOCH_MISMATCH, "partition "
                    + r.getPartition() + ": the report is about incarnation "
                    + r.getJoiningIncarnation() + " of " + r.getServerId()
                    + ", which is at incarnation " + incarnation
                    + " (it restarted and may hold less)"));
        }
        return Optional.empty();
    }

    private static void answer(Collection<CaughtUp> reports, MetaCommandReply reply) {
        for (CaughtUp c : reports) {
            c.waiters().forEach(w -> w.complete(reply));
        }
    }
}
