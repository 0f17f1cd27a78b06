package org.gtstore.dataserver.chain;

import com.google.protobuf.ByteString;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.Ttl;

/**
 * The conditional puts of one partition at its head, and every put of the same key behind
 * them. A condition is decided against the key's latest version in seq order, which only the
 * store knows: the first conditional put of a key asks it ({@link ClientReply.ConditionRead},
 * after the Ready that holds every write accepted so far), and until the answer comes every
 * put of that key waits here, in arrival order; the answer decides them all at once, each
 * against the version the one before it left. Puts of other keys never wait.
 *
 * <p>An expired value counts as absent for a condition (version 0), judged at the moment the
 * store was read. The head's own delete of an expired value ({@code replyTo} null: nobody
 * waits for it) holds here too, with the condition that the expired write is still the key's
 * latest and has expired.
 */
final class KeyConditions {
    private record Held(PutRequest request, Object replyTo, long nowMs) {
    }

    /** The puts of one key waiting for the store's answer to check {@code checkId}. */
    private static final class Pending {
        final long checkId;
        final long sinceTick;
        final ArrayDeque<Held> puts = new ArrayDeque<>();

        Pending(long checkId, long sinceTick) {
            this.checkId = checkId;
            this.sinceTick = sinceTick;
        }
    }

    private final int partition;
    private final ReplicaContext ctx;
    private final Map<ByteString, Pending> pending = new HashMap<>();

    KeyConditions(int partition, ReplicaContext ctx) {
        this.partition = partition;
        this.ctx = ctx;
    }

    /** True if a put of {@code key} must wait behind a conditional one. */
    boolean holds(ByteString key) {
        return !pending.isEmpty() && pending.containsKey(key);
    }

    /** Holds the put; the first of its key asks the store for the key's latest version. */
    void hold(PutRequest r, Object replyTo, long nowMs, Effects fx) {
        Pending p = pending.get(r.getKey());
        if (p == null) {
            p = new Pending(ctx.newConditionCheck(), ctx.tick);
            pending.put(r.getKey(), p);
            fx.replies.add(new ClientReply.ConditionRead(partition, r.getKey(), p.checkId));
        }
        p.puts.addLast(new Held(r, replyTo, nowMs));
    }

    /**
     * The store's answer: decides the key's waiting puts in order. An answer to a check that
     * no longer waits (the chain changed meanwhile, and its puts were told to retry) is ignored.
     */
    void answered(ChainEvent.ConditionRead e, PartitionReplica pr, Effects fx) {
        Pending p = pending.get(e.key());
        if (p == null || p.checkId != e.checkId()) {
            return;
        }
        pending.remove(e.key());
        long latest = e.version();
        boolean live = e.live();
        ByteString value = e.value();
        long expiresAt = e.expiresAtMs();
        for (Held h : p.puts) {
            PutRequest r = h.request();
            boolean present = live && !Ttl.expired(expiresAt, e.nowMs());
            if (h.replyTo() == null) {
                if (latest == r.getIfVersion() && live && !present) {
                    pr.acceptWrite(r, null, h.nowMs(), fx);
                    latest = pr.applied();
                    live = false;
                    value = ByteString.EMPTY;
                }
                continue;
            }
            DedupTable.Applied earlier = ctx.dedup.find(r.getClientId(), r.getRequestId(),
                    partition, r.getKey());
            if (earlier != null && earlier.seq() <= pr.applied()) {
                pr.awaitRetry(earlier.seq(), h.replyTo(), fx);
                continue;
            }
            long current = present ? latest : 0;
            if (r.getConditional() && current != r.getIfVersion()) {
                pr.awaitConflict(latest, h.replyTo(),
                        fx.conflict(current, present ? value : ByteString.EMPTY), fx);
                continue;
            }
            pr.acceptWrite(r, h.replyTo(), h.nowMs(), fx);
            latest = pr.applied();
            live = !r.getTombstone();
            value = r.getValue();
            expiresAt = PartitionReplica.expiresAt(r, h.nowMs());
        }
    }

    /**
     * Answers TIMEOUT to the puts of a check that waited too long for the store (the client
     * retries); its answer, if it comes, is ignored.
     */
    void expire(long tick, long waitTicksMax, Effects fx) {
        if (pending.isEmpty()) {
            return;
        }
        pending.values().removeIf(p -> {
            if (tick - p.sinceTick < waitTicksMax) {
                return false;
            }
            for (Held h : p.puts) {
                fx.putError(h.replyTo(), ErrorCode.TIMEOUT, "the condition check of a key of"
                        + " partition " + partition + " got no answer in time; retry");
            }
            return true;
        });
    }

    /** Answers every waiting put with {@code code}; their checks' answers are ignored. */
    void failAll(ErrorCode code, String message, Effects fx) {
        for (Pending p : pending.values()) {
            for (Held h : p.puts) {
                fx.putError(h.replyTo(), code, message);
            }
        }
        pending.clear();
    }
}
