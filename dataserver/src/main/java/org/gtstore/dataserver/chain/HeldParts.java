package org.gtstore.dataserver.chain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gtstore.proto.ChainMessage;

/**
 * Parts of chain messages that wait until this replica has a newer map, kept per stream (peer
 * and direction) in arrival order. A part waits when the sender's chain of its partition changed
 * in a map this replica has not seen ({@link #unseen}), or when an earlier part of the same
 * partition on the same stream still waits: order is kept per partition, which is all the
 * protocol needs (every message part concerns one partition's chain alone). Parts of other
 * partitions, in the same message or later ones, go on at once.
 *
 * <pre>
 *   from a, epoch 12:  [hello p7] [updates p3 p7] [updates p3 p7]   (p7's chain changed in 12)
 *   receiver at 11:    p3's updates applied now; p7's parts wait ──► map 12: p7's, in order
 * </pre>
 */
final class HeldParts {
    /** Parts that may go on now: handle {@code partitions} of {@code message}, in list order. */
    record Release(Lane lane, ChainMessage message, Set<Integer> partitions) {
    }

    /** A message with the partitions of it that still wait, and their sender chain epochs. */
    private record Held(ChainMessage message, Map<Integer, Long> waiting) {
    }

    private static final class Queue {
        final ArrayDeque<Held> messages = new ArrayDeque<>();
        Set<Integer> partitions = new HashSet<>();
    }

    private final Map<Lane, Queue> lanes = new LinkedHashMap<>();

    /**
     * True if a part from a sender whose chain of its partition last changed in
     * {@code senderChainEpoch} (0: not given; then its map epoch {@code senderEpoch} counts) was
     * built on a map this replica, at {@code epoch}, has not seen.
     */
    static boolean unseen(long senderChainEpoch, long senderEpoch, long epoch) {
        return (senderChainEpoch > 0 ? senderChainEpoch : senderEpoch) > epoch;
    }

    boolean isEmpty(Lane lane) {
        return !lanes.containsKey(lane);
    }

    /** True if a part of this partition waits on the lane (later ones must wait behind it). */
    boolean holds(Lane lane, int partition) {
        Queue q = lanes.get(lane);
        return q != null && q.partitions.contains(partition);
    }

    /** Messages with waiting parts on the lane. */
    int size(Lane lane) {
        Queue q = lanes.get(lane);
        return q == null ? 0 : q.messages.size();
    }

    /** Keeps these parts of the message (partition to sender chain epoch) until released. */
    void hold(Lane lane, ChainMessage m, Map<Integer, Long> waiting) {
        Queue q = lanes.computeIfAbsent(lane, k -> new Queue());
        q.messages.addLast(new Held(m, new LinkedHashMap<>(waiting)));
        q.partitions.addAll(waiting.keySet());
    }

    /** Forgets everything held on the lane; returns the partitions whose parts were dropped. */
    Set<Integer> drop(Lane lane) {
        Queue q = lanes.remove(lane);
        return q == null ? Set.of() : q.partitions;
    }

    /**
     * Takes out every part that no longer waits at map epoch {@code epoch}, in stream order per
     * partition: a part is released only if no earlier part of its partition on the lane still
     * waits.
     */
    List<Release> release(long epoch) {
        List<Release> out = new ArrayList<>();
        Iterator<Map.Entry<Lane, Queue>> lanesIt = lanes.entrySet().iterator();
        while (lanesIt.hasNext()) {
            Map.Entry<Lane, Queue> e = lanesIt.next();
            Queue q = e.getValue();
            Set<Integer> blocked = new HashSet<>();
            Iterator<Held> it = q.messages.iterator();
            while (it.hasNext()) {
                Held h = it.next();
                Set<Integer> ready = new HashSet<>();
                for (Map.Entry<Integer, Long> part : h.waiting().entrySet()) {
                    int p = part.getKey();
                    if (blocked.contains(p)
                            || unseen(part.getValue(), h.message().getEpoch(), epoch)) {
                        blocked.add(p);
                    } else {
                        ready.add(p);
                    }
                }
                if (!ready.isEmpty()) {
                    h.waiting().keySet().removeAll(ready);
                    out.add(new Release(e.getKey(), h.message(), ready));
                }
                if (h.waiting().isEmpty()) {
                    it.remove();
                }
            }
            q.partitions = blocked;
            if (q.messages.isEmpty()) {
                lanesIt.remove();
            }
        }
        return out;
    }

}
