package org.gtstore.dataserver.chain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.gtstore.proto.ErrorCode;

/**
 * The client puts of one partition waiting at the head for the tail's acknowledgement: new
 * writes in seq order, answered once committed; retries of writes already applied (found in the
 * dedup table), answered once the tail is known to have them.
 */
final class PutWaiters {
    /** A client put waiting for the tail's acknowledgement of {@code seq}. */
    private record Waiter(long seq, long token, long sinceTick) {
    }

    private final int partition;
    private final ArrayDeque<Waiter> writes = new ArrayDeque<>();
    /** Retries of puts still in flight: few, and not in seq order with {@link #writes}. */
    private final List<Waiter> retries = new ArrayList<>();

    PutWaiters(int partition) {
        this.partition = partition;
    }

    void addWrite(long seq, long token, long tick) {
        writes.addLast(new Waiter(seq, token, tick));
    }

    void addRetry(long seq, long token, long tick) {
        retries.add(new Waiter(seq, token, tick));
    }

    /** Answers OK to writes up to {@code committed} and retries up to {@code ackedUpTo}. */
    void release(long committed, long ackedUpTo, Effects fx) {
        while (!writes.isEmpty() && writes.peekFirst().seq() <= committed) {
            Waiter w = writes.pollFirst();
            fx.putOk(w.token(), w.seq());
        }
        if (!retries.isEmpty()) {
            retries.removeIf(w -> {
                if (w.seq() <= ackedUpTo) {
                    fx.putOk(w.token(), w.seq());
                    return true;
                }
                return false;
            });
        }
    }

    /** Answers TIMEOUT to puts that waited too long for the tail; the client will retry. */
    void expire(long tick, long waitTicksMax, Effects fx) {
        while (!writes.isEmpty() && tick - writes.peekFirst().sinceTick() >= waitTicksMax) {
            Waiter w = writes.pollFirst();
            fx.putError(w.token(), ErrorCode.TIMEOUT, "no acknowledgement from the tail for seq "
                    + w.seq() + " of partition " + partition);
        }
        Iterator<Waiter> it = retries.iterator();
        while (it.hasNext()) {
            Waiter w = it.next();
            if (tick - w.sinceTick() >= waitTicksMax) {
                it.remove();
                fx.putError(w.token(), ErrorCode.TIMEOUT, "no acknowledgement from the tail");
            }
        }
    }

    /** Answers every waiting put with {@code code}. */
    void failAll(ErrorCode code, String message, Effects fx) {
        for (Waiter w : writes) {
            fx.putError(w.token(), code, message);
        }
        for (Waiter w : retries) {
            fx.putError(w.token(), code, message);
        }
        writes.clear();
        retries.clear();
    }
}
