package org.gtstore.metadata.service;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A {@link LeadershipCheck} that shares one confirmation round (one ConfirmLeadership entry
 * committed through the Raft log) among every caller that asks while it runs. A caller that
 * asks while a round is in flight waits for the next round, which starts when that one ends: a
 * round that started before the call proves nothing about the moment after it. So at most one
 * round is in flight and one queued, however many data servers heartbeat at once, and round
 * starts are at least {@code minGapMs} apart, which bounds the log entries it costs.
 */
public final class LeadershipConfirmer implements LeadershipCheck {

    private final Supplier<CompletableFuture<Boolean>> round;
    private final long roundTimeoutMs;
    private final long minGapNanos;
    private boolean running;
    /** The callers waiting for the round after the running one; null if none. */
    private CompletableFuture<Boolean> next;
    private long lastStartNanos;
    /** Rounds start without waiting for the gap: this member is about to stop leading. */
    private boolean hurried;
    /** The waiters of a round that waits for its gap to pass; null if none. */
    private CompletableFuture<Boolean> delayed;

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
    public CompletableFuture<Boolean> confirm() {
        CompletableFuture<Boolean> mine;
        synchronized (this) {
            if (running) {
                if (next == null) {
                    next = new CompletableFuture<>();
                }
                return next;
            }
            running = true;
            mine = new CompletableFuture<>();
        }
        startWhenDue(mine);
        return mine;
    }

    /**
     * From now on rounds start as soon as asked for, and a round waiting for its gap starts
     * now: a leader about to hand its leadership over answers the heartbeats it holds at once.
     */
    public void hurry() {
        CompletableFuture<Boolean> now;
        synchronized (this) {
            hurried = true;
            now = delayed;
            delayed = null;
        }
        if (now != null) {
            run(now);
        }
    }

    private void startWhenDue(CompletableFuture<Boolean> waiters) {
        long waitNanos;
        synchronized (this) {
            waitNanos = hurried ? 0 : lastStartNanos + minGapNanos - System.nanoTime();
            if (waitNanos > 0) {
                delayed = waiters;
            }
        }
        if (waitNanos > 0) {
            CompletableFuture.delayedExecutor(waitNanos, TimeUnit.NANOSECONDS)
                    .execute(() -> runDelayed(waiters));
        } else {
            run(waiters);
        }
    }

    /** Runs the delayed round unless {@link #hurry} already ran it. */
    private void runDelayed(CompletableFuture<Boolean> waiters) {
        synchronized (this) {
            if (delayed != waiters) {
                return;
            }
            delayed = null;
        }
        run(waiters);
    }

    private void run(CompletableFuture<Boolean> waiters) {
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
            CompletableFuture<Boolean> following;
            synchronized (this) {
                following = next;
                next = null;
                running = following != null;
            }
            waiters.complete(error == null && Boolean.TRUE.equals(ok));
            if (following != null) {
                startWhenDue(following);
            }
        });
    }
}
