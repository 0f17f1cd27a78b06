package org.gtstore.dataserver.chain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.PutResponse;

/**
 * The client puts of one partition that the head still answers for until the tail's
 * acknowledgement covers them:
 * <ul>
 * <li>new writes, in seq order: the tail answers them (Committed), so an acknowledgement that
 *     says the tail answered them only forgets them. One the tail committed without telling its
 *     client (a reconfiguration: a copy, a restarted tail) is answered by the head when the
 *     acknowledgement comes (a client takes whichever answer comes first). If this server
 *     leaves the chain first, or the write waits too long, the head tells the client at once,
 *     so it retries (deduplicated) instead of waiting out its timeout;
 * <li>retries of writes already applied here (found in the dedup table), answered OK with the
 *     original version once the acknowledgement covers them;
 * <li>conditional puts whose condition failed against a version not yet committed, answered
 *     CONFLICT once the acknowledgement covers that version (a conflict with a write the chain
 *     could still lose would be a conflict with a version that never existed).
 * </ul>
 */
final class PutWaiters {
    /** A put waiting for the tail's acknowledgement of {@code seq}. */
    private record Waiter(long seq, Object replyTo, long sinceTick) {
    }

    /** A conditional put's CONFLICT, sent once the tail acknowledged {@code seq}. */
    private record Conflict(long seq, Object replyTo, PutResponse response, long sinceTick) {
    }

    private final int partition;
    private final ArrayDeque<Waiter> writes = new ArrayDeque<>();
    /** Retries of puts still in flight: few, and not in seq order with {@link #writes}. */
    private final List<Waiter> retries = new ArrayList<>();
    private final List<Conflict> conflicts = new ArrayList<>();

    PutWaiters(int partition) {
        this.partition = partition;
    }

    void addWrite(long seq, Object replyTo, long tick) {
        writes.addLast(new Waiter(seq, replyTo, tick));
    }

    void addRetry(long seq, Object replyTo, long tick) {
        retries.add(new Waiter(seq, replyTo, tick));
    }

    void addConflict(long seq, Object replyTo, PutResponse response, long tick) {
        conflicts.add(new Conflict(seq, replyTo, response, tick));
    }

    /**
     * Releases the writes up to {@code committed}, answering those after {@code answered} (the
     * tail did not) and those up to {@code answerOwnUpTo} (accepted before the chain changed),
     * and answers OK to the retries up to {@code ackedUpTo}.
     */
    void release(long committed, long answered, long answerOwnUpTo, long ackedUpTo,
            Effects fx) {
        while (!writes.isEmpty() && writes.peekFirst().seq() <= committed) {
            Waiter w = writes.pollFirst();
            if (w.seq() > answered || w.seq() <= answerOwnUpTo) {
                fx.putOk(w.replyTo(), w.seq());
            }
        }
        if (!retries.isEmpty()) {
            retries.removeIf(w -> {
                if (w.seq() <= ackedUpTo) {
                    fx.putOk(w.replyTo(), w.seq());
                    return true;
                }
                return false;
            });
        }
        if (!conflicts.isEmpty()) {
            conflicts.removeIf(c -> {
                if (c.seq() <= ackedUpTo) {
                    fx.replies.add(new ClientReply.PutDone(c.replyTo(), c.response()));
                    return true;
                }
                return false;
            });
        }
    }

    /** Answers TIMEOUT to puts that waited too long for the tail; the client retries. */
    void expire(long tick, long waitTicksMax, Effects fx) {
        while (!writes.isEmpty() && tick - writes.peekFirst().sinceTick() >= waitTicksMax) {
            Waiter w = writes.pollFirst();
            fx.putError(w.replyTo(), ErrorCode.TIMEOUT, "no acknowledgement from the tail for"
                    + " seq " + w.seq() + " of partition " + partition);
        }
        Iterator<Waiter> it = retries.iterator();
        while (it.hasNext()) {
            Waiter w = it.next();
            if (tick - w.sinceTick() >= waitTicksMax) {
                it.remove();
                fx.putError(w.replyTo(), ErrorCode.TIMEOUT, "no acknowledgement from the tail"
                        + " for seq " + w.seq() + " of partition " + partition);
            }
        }
        Iterator<Conflict> c = conflicts.iterator();
        while (c.hasNext()) {
            Conflict w = c.next();
            if (tick - w.sinceTick() >= waitTicksMax) {
                c.remove();
                fx.putError(w.replyTo(), ErrorCode.TIMEOUT, "no acknowledgement from the tail"
                        + " for seq " + w.seq() + " of partition " + partition
                        + ", the version a condition was checked against");
            }
        }
    }

    /** Answers every waiting put with {@code code}. */
    void failAll(ErrorCode code, String message, Effects fx) {
        for (Waiter w : writes) {
            fx.putError(w.replyTo(), code, message);
        }
        for (Waiter w : retries) {
            fx.putError(w.replyTo(), code, message);
        }
        for (Conflict w : conflicts) {
            fx.putError(w.replyTo(), code, message);
        }
        writes.clear();
        retries.clear();
        conflicts.clear();
    }
}
