package org.gtstore.dataserver.chain;

import java.util.ArrayDeque;
import java.util.Iterator;
import org.gtstore.proto.Update;

/**
 * The updates one partition replica keeps for its successor (see {@link PartitionReplica}),
 * oldest first, with their size, which also counts toward the whole server's
 * {@link ReplicaContext#retainedBytes}: the head admits no new write while that is over its
 * bound, so a chain that cannot keep up holds its clients back instead of filling this server's
 * memory.
 */
final class Retained implements Iterable<Update> {
    /** What an update costs beyond its key and value (the message and the queue entry). */
    private static final int OVERHEAD_BYTES = 64;

    private final ArrayDeque<Update> updates = new ArrayDeque<>();
    private final ReplicaContext ctx;
    private long bytes;

    Retained(ReplicaContext ctx) {
        this.ctx = ctx;
    }

    static long sizeOf(Update u) {
        return u.getKey().size() + u.getValue().size() + OVERHEAD_BYTES;
    }

    void addLast(Update u) {
        updates.addLast(u);
        add(sizeOf(u));
    }

    Update pollFirst() {
        Update u = updates.pollFirst();
        if (u != null) {
            add(-sizeOf(u));
        }
        return u;
    }

    Update peekFirst() {
        return updates.peekFirst();
    }

    boolean isEmpty() {
        return updates.isEmpty();
    }

    int size() {
        return updates.size();
    }

    /** The bytes these updates take. */
    long bytes() {
        return bytes;
    }

    void clear() {
        updates.clear();
        add(-bytes);
    }

    private void add(long delta) {
        bytes += delta;
        ctx.retainedBytes += delta;
    }

    @Override
    public Iterator<Update> iterator() {
        return updates.iterator();
    }
}
