package org.gtstore.dataserver.server;

import com.google.protobuf.ByteString;
import java.util.ArrayDeque;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.gtstore.dataserver.chain.ChainEvent;
import org.gtstore.dataserver.chain.CopyCommand;
import org.gtstore.dataserver.storage.LocalStore;
import org.gtstore.dataserver.storage.PartitionSnapshot;
import org.gtstore.dataserver.storage.StoredDedup;
import org.gtstore.dataserver.storage.StoredEntry;
import org.gtstore.proto.DedupEntry;
import org.gtstore.proto.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads state-transfer chunks from store snapshots on its own thread, so a scan of a large
 * partition never blocks the replica driver. The {@link org.gtstore.dataserver.chain.ChainReplica}
 * decides everything (which copy, from which version, how many chunks ahead); this class only
 * does the IO: the driver takes the snapshot when it handles a {@link CopyCommand.Start} (right
 * after persisting the Ready, so the snapshot holds exactly the updates up to the copy's
 * snapshot seq) and hands it over; each chunk read goes back to the driver's queue as a
 * {@link ChainEvent.CopyChunkRead}; a {@link CopyCommand.Pull} grants one more chunk.
 *
 * <p>Memory is bounded: at most {@code activeMax} copies read at a time (the others wait, in
 * order), each at most its credits (the replica's window) chunks ahead, each chunk at most
 * {@code chunkBytesMax}. The first read of a copy counts its keys (for progress), a second pass
 * over the same snapshot. After the data, the copy sends every dedup entry the snapshot holds
 * for the partition, in chunks of the same bound (a hot partition may hold thousands, with
 * keys of up to 1 KiB); the chunk that sends the last of them is the copy's last.
 */
public final class PartitionCopier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionCopier.class);

    /** One copy: its snapshot, cursor and credits (copier thread only). */
    private static final class Task {
        final CopyCommand.Start start;
        final PartitionSnapshot snapshot;
        PartitionSnapshot.Cursor cursor;
        /** Version order: the entries to send, sorted, and the next one. */
        List<Update> sorted;
        int next;
        /** Version order: the dedup entries not sent yet, by the key they wrote. */
        Map<ByteString, List<DedupEntry>> dedupByKey;
        /** The snapshot's dedup entries, read once when the data is sent. */
        List<StoredDedup> dedupStored;
        /** Once the data is sent: the dedup entries still to send, in order. */
        ArrayDeque<DedupEntry> dedupTail;
        int credits;
        long copied;
        long total = -1;
        long startNanos;

        Task(CopyCommand.Start start, PartitionSnapshot snapshot) {
            this.start = start;
            this.snapshot = snapshot;
            this.credits = start.credits();
        }
    }

    private record Started(CopyCommand.Start start, PartitionSnapshot snapshot) {
    }

    private final String selfId;
    private final LocalStore store;
    private final Consumer<ChainEvent> sink;
    private final int chunkBytesMax;
    private final int activeMax;
    private final BlockingQueue<Object> commands = new LinkedBlockingQueue<>();
    private final Map<Long, Task> active = new LinkedHashMap<>();
    private final ArrayDeque<Task> waiting = new ArrayDeque<>();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param sink where chunks go (the driver's queue); must not block
     * @param chunkBytesMax the size at which a chunk is cut
     * @param activeMax copies read at the same time
     */
    public PartitionCopier(String selfId, LocalStore store, Consumer<ChainEvent> sink,
            int chunkBytesMax, int activeMax) {
        if (chunkBytesMax <= 0 || activeMax <= 0) {
            throw new IllegalArgumentException("chunkBytesMax=" + chunkBytesMax + " activeMax="
                    + activeMax);
        }
        this.selfId = selfId;
        this.store = store;
        this.sink = sink;
        this.chunkBytesMax = chunkBytesMax;
        this.activeMax = activeMax;
        this.thread = new Thread(this::run, "partition-copier-" + selfId);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /**
     * A command from the replica's Ready. Driver thread, after the Ready's writes are persisted:
     * a Start takes its snapshot here and now.
     */
    public void submit(CopyCommand command) {
        if (command instanceof CopyCommand.Start s) {
            commands.add(new Started(s, store.snapshot(s.partition())));
        } else {
            commands.add(command);
        }
    }

    private void run() {
        try {
            while (running) {
                Task next = nextWithCredit();
                Object c = next == null ? commands.poll(100, TimeUnit.MILLISECONDS)
                        : commands.poll();
                if (c != null) {
                    handle(c);
                    continue;
                }
                if (next != null) {
                    readChunk(next);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // A store failure: the copies stall, and the replica re-syncs the successor later.
            LOG.error("[{}] partition copier failed; copies stop", selfId, e);
        } finally {
            active.values().forEach(t -> t.snapshot.close());
            waiting.forEach(t -> t.snapshot.close());
            active.clear();
            waiting.clear();
            for (Object c : commands) {
                if (c instanceof Started s) {
                    s.snapshot().close();
                }
            }
        }
    }

    private void handle(Object c) {
        if (c instanceof Started s) {
            waiting.addLast(new Task(s.start(), s.snapshot()));
            promote();
        } else if (c instanceof CopyCommand.Pull p) {
            Task t = find(p.copyId());
            if (t != null) {
                t.credits += p.credits();
            }
        } else if (c instanceof CopyCommand.Cancel x) {
            Task t = active.remove(x.copyId());
            if (t == null) {
                Iterator<Task> it = waiting.iterator();
                while (it.hasNext()) {
                    Task w = it.next();
                    if (w.start.copyId() == x.copyId()) {
                        it.remove();
                        t = w;
                    }
                }
            }
            if (t != null) {
                LOG.debug("[{} p={}] copy {} cancelled after {} keys", selfId,
                        t.start.partition(), t.start.copyId(), t.copied);
                t.snapshot.close();
            }
            promote();
        }
    }

    private Task find(long copyId) {
        Task t = active.get(copyId);
        if (t != null) {
            return t;
        }
        for (Task w : waiting) {
            if (w.start.copyId() == copyId) {
                return w;
            }
        }
        return null;
    }

    private void promote() {
        while (active.size() < activeMax && !waiting.isEmpty()) {
            Task t = waiting.pollFirst();
            active.put(t.start.copyId(), t);
        }
    }

    /** The first active copy with credit, rotating so that copies take turns. */
    private Task nextWithCredit() {
        for (Task t : active.values()) {
            if (t.credits > 0) {
                active.remove(t.start.copyId());
                active.put(t.start.copyId(), t);
                return t;
            }
        }
        return null;
    }

    private void readChunk(Task t) {
        CopyCommand.Start s = t.start;
        if (t.total < 0) {
            t.startNanos = System.nanoTime();
            if (s.versionOrder()) {
                t.sorted = sortedByVersion(t);
                t.total = t.sorted.size();
                t.dedupStored = t.snapshot.dedup();
                t.dedupByKey = dedupByKey(t.dedupStored, s.fromVersion());
            } else {
                t.total = count(t);
                t.cursor = t.snapshot.cursor();
            }
        }
        List<Update> entries = new ArrayList<>();
        List<DedupEntry> dedup = new ArrayList<>();
        int bytes = 0;
        while (t.dedupTail == null && bytes < chunkBytesMax) {
            Update u = s.versionOrder() ? (t.next < t.sorted.size() ? t.sorted.get(t.next++)
                    : null) : nextNewer(t);
            if (u == null) {
                t.dedupTail = new ArrayDeque<>();
                for (StoredDedup d : t.dedupStored != null ? t.dedupStored
                        : t.snapshot.dedup()) {
                    t.dedupTail.add(dedupEntry(d));
                }
                break;
            }
            entries.add(u);
            bytes += u.getKey().size() + u.getValue().size() + 16;
            if (s.versionOrder()) {
                List<DedupEntry> d = t.dedupByKey.remove(u.getKey());
                if (d != null) {
                    dedup.addAll(d);
                    bytes += dedupBytes(d);
                }
            }
        }
        boolean last = false;
        if (t.dedupTail != null) {
            while (bytes < chunkBytesMax && !t.dedupTail.isEmpty()) {
                DedupEntry d = t.dedupTail.poll();
                dedup.add(d);
                bytes += dedupBytes(List.of(d));
            }
            last = t.dedupTail.isEmpty();
        }
        t.copied += entries.size();
        t.credits--;
        if (last) {
            active.remove(s.copyId());
            t.snapshot.close();
            promote();
            LOG.debug("[{} p={}] copy {} to {} read: {} keys after version {} in {} ms", selfId,
                    s.partition(), s.copyId(), s.peer(), t.copied, s.fromVersion(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t.startNanos));
        }
        sink.accept(new ChainEvent.CopyChunkRead(s.copyId(), s.partition(), entries, last,
                t.copied, t.total, dedup));
    }

    /**
     * The dedup entries a copy in version order sends with the keys they wrote: those applied
     * after the copy's from-version (the receiver applied the older ones itself). A chunk that
     * brings a key brings every request that wrote it, so a copy cut short leaves the receiver
     * knowing exactly the requests whose effect it holds (an entry stored without its key goes
     * only with the chunks after the data). Shared with the chain tests' copier.
     */
    public static Map<ByteString, List<DedupEntry>> dedupByKey(List<StoredDedup> stored,
            long fromVersion) {
        Map<ByteString, List<DedupEntry>> out = new HashMap<>();
        for (StoredDedup d : stored) {
            if (d.seq() > fromVersion && !d.key().isEmpty()) {
                out.computeIfAbsent(d.key(), k -> new ArrayList<>(1)).add(dedupEntry(d));
            }
        }
        return out;
    }

    private static int dedupBytes(List<DedupEntry> entries) {
        int n = 0;
        for (DedupEntry d : entries) {
            n += d.getClientIdBytes().size() + d.getKey().size() + 24;
        }
        return n;
    }

    public static DedupEntry dedupEntry(StoredDedup d) {
        return DedupEntry.newBuilder().setClientId(d.clientId()).setRequestId(d.requestId())
                .setSeq(d.seq()).setKey(d.key()).build();
    }

    /** The next entry of the cursor newer than the copy's from-version, or null at the end. */
    private static Update nextNewer(Task t) {
        for (StoredEntry e = t.cursor.next(); e != null; e = t.cursor.next()) {
            if (e.value().version() > t.start.fromVersion()) {
                return copied(t.start.partition(), e);
            }
        }
        return null;
    }

    /** A stored entry as a copy sends it: its version as the seq, its value and expiry. */
    public static Update copied(int partition, StoredEntry e) {
        Update.Builder u = Update.newBuilder().setPartition(partition)
                .setSeq(e.value().version()).setKey(e.key())
                .setTombstone(e.value().tombstone()).setCopied(true);
        if (!e.value().tombstone()) {
            u.setValue(e.value().value()).setExpiresAtMs(e.value().expiresAtMs());
        }
        return u.build();
    }

    /** A member's gap: every entry newer than the from-version, in ascending version. */
    private static List<Update> sortedByVersion(Task t) {
        List<Update> out = new ArrayList<>();
        try (PartitionSnapshot.Cursor c = t.snapshot.cursor()) {
            for (StoredEntry e = c.next(); e != null; e = c.next()) {
                if (e.value().version() > t.start.fromVersion()) {
                    out.add(copied(t.start.partition(), e));
                }
            }
        }
        out.sort(java.util.Comparator.comparingLong(Update::getSeq));
        return out;
    }

    private long count(Task t) {
        long n = 0;
        try (PartitionSnapshot.Cursor c = t.snapshot.cursor()) {
            for (StoredEntry e = c.next(); e != null; e = c.next()) {
                n += e.value().version() > t.start.fromVersion() ? 1 : 0;
            }
        }
        return n;
    }

    /** Stops the thread and releases every snapshot. Call before closing the store. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
