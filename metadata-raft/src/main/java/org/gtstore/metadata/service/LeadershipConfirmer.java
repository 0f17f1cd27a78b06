package org.gtstore.metadata.service;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A {@link LeadershipCheck} fed by two kinds of proof. Any entry this member proposed and saw
 * committed while leading ({@link #committed}) proves a majority followed it after the moment
 * it was proposed, so it answers every caller that asked before then; a map change, a
 * Register, any command does. Callers no commit has answered share one confirmation round
 * (one ConfirmLeadership entry committed through the Raft log): a caller that asks while a
 * round is in flight waits for the next round, which starts when that one ends, since a round
 * that started before the call proves nothing about the moment after it. So at most one round
 * is in flight and one queued, however many data servers heartbeat at once, and round starts
 * are at least {@code minGapMs} apart, which bounds the log entries it costs; while the leader
 * is busy changing the map its own commands answer the heartbeats and rounds are rarely needed.
 */
public final class LeadershipConfirmer implements LeadershipCheck {

    private final Supplier<CompletableFuture<Boolean>> round;
    private final long roundTimeoutMs;
    private final long minGapNanos;
    /** The callers of the round in flight or waiting for its gap; null if none. */
    private Waiters current;
    /** The callers waiting for the round after the current one; null if none. */
    private Waiters next;
    private long lastStartNanos;
    /** Rounds start without waiting for the gap: this member is about to stop leading. */
    private boolean hurried;
    /** The current round waits for its gap to pass and has not started. */
    private boolean delayed;
    /** Proposal time of the latest committed entry that proved leadership; valid if proven. */
    private long provenSinceNanos;
    private boolean proven;

    /** Callers sharing a round, and when the latest of them asked. */
    private static final class Waiters {
        final CompletableFuture<Boolean> future = new CompletableFuture<>();
        long latestSinceNanos;

        Waiters(long sinceNanos) {
            latestSinceNanos = sinceNanos;
        }

        /** A commit of an entry proposed at {@code proposedNanos} answers all of them. */
        boolean answeredBy(long proposedNanos) {
            return proposedNanos - latestSinceNanos > 0;
        }
    }

    /**
     * @param round starts one confirmation round; true if a majority acknowledged it
     * @param roundTimeoutMs a round without an answer by then counts as not confirmed
     * @param minGapMs the least time between the starts of two rounds
     */
    public LeadershipConfirmer(Supplier<CompletableFuture<Boolean>> round, long roundTimeoutMs,
                               long minGapMs) {
        if (roundTimeoutMs <= 0 || minGapMs < 0) {
            throw new IllegalArgumentException("roundTimeoutMs " + roundTimeoutMs
                    + " must be > 0 and minGapMs " + minGapMs + " >= 0");
        }
        this.round = round;
        this.roundTimeoutMs = roundTimeoutMs;
        this.minGapNanos = TimeUnit.MILLISECONDS.toNanos(minGapMs);
        this.lastStartNanos = System.nanoTime() - minGapNanos;
    }

    @Override
    public CompletableFuture<Boolean> confirm(long sinceNanos) {
        Waiters mine;
        synchronized (this) {
            if (proven && provenSinceNanos - sinceNanos > 0) {
                return CompletableFuture.completedFuture(true);
            }
            if (current != null) {
                if (next == null) {
                    next = new Waiters(sinceNanos);
                } else if (sinceNanos - next.latestSinceNanos > 0) {
                    next.latestSinceNanos = sinceNanos;
                }
                return next.future;
            }
            mine = new Waiters(sinceNanos);
            current = mine;
        }
        startWhenDue(mine);
        return mine.future;
    }

    /**
     * An entry this member proposed at {@code proposedNanos} ({@link System#nanoTime}) was
     * committed while it led: every caller that asked before then is answered true.
     */
    public void committed(long proposedNanos) {
        Waiters answeredCurrent = null;
        Waiters answeredNext = null;
        synchronized (this) {
            if (!proven || proposedNanos - provenSinceNanos > 0) {
                proven = true;
                provenSinceNanos = proposedNanos;
            }
            if (current != null && current.answeredBy(proposedNanos)) {
                answeredCurrent = current;
            }
            if (next != null && next.answeredBy(proposedNanos)) {
                answeredNext = next;
                next = null;
            }
        }
        if (answeredCurrent != null) {
            answeredCurrent.future.complete(true);
        }
        if (answeredNext != null) {
            answeredNext.future.complete(true);
        }
    }

    /**
     * From now on rounds start as soon as asked for, and a round waiting for its gap starts
     * now: a leader about to hand its leadership over answers the heartbeats it holds at once.
     */
    public void hurry() {
        Waiters now = null;
        synchronized (this) {
            hurried = true;
            if (delayed) {
                delayed = false;
                now = current;
            }
        }
        if (now != null) {
            run(now);
        }
    }

    private void startWhenDue(Waiters waiters) {
        long waitNanos;
        synchronized (this) {
            waitNanos = hurried ? 0 : lastStartNanos + minGapNanos - System.nanoTime();
            delayed = waitNanos > 0;
        }
        if (waitNanos > 0) {
            CompletableFuture.delayedExecutor(waitNanos, TimeUnit.NANOSECONDS)
                    .execute(() -> runDelayed(waiters));
        } else {
            run(waiters);
        }
    }

    /**
     * Runs the delayed round unless {@link #hurry} already ran it; a commit that answered its
     * callers meanwhile makes the round unnecessary.
     */
    private void runDelayed(Waiters waiters) {
        synchronized (this) {
            if (!delayed || current != waiters) {
                return;
            }
            delayed = false;
        }
        if (waiters.future.isDone()) {
            finished(waiters);
        } else {
            run(waiters);
        }
    }

    private void run(Waiters waiters) {
        synchronized (this) {
            lastStartNanos = System.nanoTime();
        }
        CompletableFuture<Boolean> r;
        try {
            r = round.get().orTimeout(roundTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            r = CompletableFuture.completedFuture(false);
        }
        r.whenComplete((ok, error) -> {
            waiters.future.complete(error == null && Boolean.TRUE.equals(ok));
            finished(waiters);
        });
    }

    /** The current round is over: the callers that asked during it get the next one. */
    private void finished(Waiters waiters) {
        Waiters following;
        synchronized (this) {
            if (current != waiters) {
                return;
            }
            following = next;
            next = null;
            current = following;
        }
        if (following != null) {
            startWhenDue(following);
        }
    }
}
