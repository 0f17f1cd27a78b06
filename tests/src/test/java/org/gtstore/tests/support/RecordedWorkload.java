package org.gtstore.tests.support;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.gtstore.client.GetResult;
import org.gtstore.client.GtStoreClient;
import org.gtstore.client.GtStoreException;
import org.gtstore.tests.history.History;

/**
 * Several client threads, each with its own {@link GtStoreClient}, reading and writing a small
 * set of keys as fast as they can until stopped, recording every operation in a {@link History}
 * for the linearizability check. A put that fails is recorded with an unknown outcome (the head
 * may have committed it); a get that fails tells nothing and is dropped. Seeded.
 */
public final class RecordedWorkload implements AutoCloseable {
    private final History history = new History();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final ConcurrentLinkedQueue<Long> writeCompletionsNs = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();

    private final String valuePrefix;

    private RecordedWorkload(String valuePrefix) {
        this.valuePrefix = valuePrefix;
    }

    /** Starts {@code clients} threads over {@code keys}; each op's value is unique. */
    public static RecordedWorkload start(Supplier<GtStoreClient> clients, List<String> keys,
            int threadCount, long seed) {
        return start(clients, keys, threadCount, seed, "w", 0);
    }

    /**
     * Like {@link #start(Supplier, List, int, long)}, with values that start with
     * {@code valuePrefix}: workloads of different processes over the same keys give them
     * different prefixes, so every value written is still unique. The first {@code readers}
     * threads only read: a thread that mixes blocks in a write its chain cannot finish (during
     * a partition) while a reader keeps asking the tail.
     */
    public static RecordedWorkload start(Supplier<GtStoreClient> clients, List<String> keys,
            int threadCount, long seed, String valuePrefix, int readers) {
        RecordedWorkload w = new RecordedWorkload(valuePrefix);
        for (int i = 0; i < threadCount; i++) {
            int id = i;
            boolean readOnly = i < readers;
            GtStoreClient client = clients.get();
            Thread t = new Thread(() -> w.run(client, keys, id, readOnly, new Random(seed + id)),
                    "workload-" + i);
            t.setDaemon(true);
            w.threads.add(t);
        }
        w.threads.forEach(Thread::start);
        return w;
    }

    private void run(GtStoreClient client, List<String> keys, int id, boolean readOnly,
            Random random) {
        try (client) {
            for (int n = 0; !stop.get(); n++) {
                String key = keys.get(random.nextInt(keys.size()));
                if (!readOnly && random.nextBoolean()) {
                    String value = valuePrefix + id + "-" + n;
                    History.Pending p = history.invokeWrite(key, value);
                    try {
                        client.put(key, value);
                        p.ok(null);
                        writeCompletionsNs.add(System.nanoTime());
                        succeeded.incrementAndGet();
                    } catch (GtStoreException e) {
                        p.unknown();
                        fail("put " + key + ": " + e.getMessage());
                    }
                } else {
                    History.Pending p = history.invokeRead(key);
                    try {
                        GetResult r = client.get(key);
                        p.ok(r.found() ? r.valueUtf8() : null);
                        succeeded.incrementAndGet();
                    } catch (GtStoreException e) {
                        p.unknown();
                        fail("get " + key + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    private void fail(String message) {
        failed.incrementAndGet();
        if (failures.size() < 20) {
            failures.add(message);
        }
    }

    public long succeeded() {
        return succeeded.get();
    }

    public long failed() {
        return failed.get();
    }

    public List<String> sampleFailures() {
        return List.copyOf(failures);
    }

    public History history() {
        return history;
    }

    /**
     * The longest time without any acknowledged write in [fromNs, toNs]: the write
     * unavailability a failure caused.
     */
    public Duration longestWriteGap(long fromNs, long toNs) {
        return longestWriteGapSpan(fromNs, toNs).length();
    }

    /** A stretch without a completed write, with the wall-clock times it began and ended. */
    public record WriteGap(Duration length, Instant from, Instant to) {
        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
                .withZone(ZoneId.systemDefault());

        @Override
        public String toString() {
            return length.toMillis() + " ms (" + TIME.format(from) + " to " + TIME.format(to) + ")";
        }
    }

    /** Like {@link #longestWriteGap}, with where the gap lies (to match it against logs). */
    public WriteGap longestWriteGapSpan(long fromNs, long toNs) {
        long[] longest = {fromNs, fromNs};
        forEachGap(fromNs, toNs, (from, to) -> {
            if (to - from > longest[1] - longest[0]) {
                longest[0] = from;
                longest[1] = to;
            }
        });
        return gap(longest[0], longest[1]);
    }

    /**
     * Every stretch in [fromNs, toNs] without a completed write that lasted at least
     * {@code atLeast}, in time order (each pause a test caused, to match against the logs).
     */
    public List<WriteGap> writeGaps(long fromNs, long toNs, Duration atLeast) {
        List<WriteGap> gaps = new ArrayList<>();
        forEachGap(fromNs, toNs, (from, to) -> {
            if (to - from >= atLeast.toNanos()) {
                gaps.add(gap(from, to));
            }
        });
        return gaps;
    }

    /** A stretch without a completed write, in {@link System#nanoTime} units. */
    @FunctionalInterface
    private interface GapSink {
        void gap(long fromNs, long toNs);
    }

    /** Hands over every stretch between consecutive write completions in [fromNs, toNs]. */
    private void forEachGap(long fromNs, long toNs, GapSink sink) {
        List<Long> times = new ArrayList<>(writeCompletionsNs);
        times.sort(Long::compare);
        long previous = fromNs;
        for (long t : times) {
            if (t < fromNs) {
                continue;
            }
            if (t > toNs) {
                break;
            }
            sink.gap(previous, t);
            previous = t;
        }
        sink.gap(previous, toNs);
    }

    private static WriteGap gap(long fromNs, long toNs) {
        long wallOffsetNs = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
        Instant start = Instant.EPOCH.plusNanos(fromNs + wallOffsetNs);
        return new WriteGap(Duration.ofNanos(toNs - fromNs), start,
                start.plusNanos(toNs - fromNs));
    }

    /** Stops every thread and waits for it (each finishes its current operation). */
    @Override
    public void close() {
        stop.set(true);
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
