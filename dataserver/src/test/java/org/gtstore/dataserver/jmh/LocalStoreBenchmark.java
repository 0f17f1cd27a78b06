package org.gtstore.dataserver.jmh;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.gtstore.dataserver.storage.RocksDbStore;
import org.gtstore.dataserver.storage.StoreBatch;
import org.gtstore.dataserver.storage.StoredDedup;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.Update;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The data server's local store on its hot path, as one driver pass uses it: {@code apply} of a
 * batch of {@value #BATCH} client puts (each with its dedup entry, plus the applied seq of every
 * partition the batch touched, one atomic RocksDB write with the WAL on and no fsync), and a
 * point {@code get} of a stored key. The store holds what one of 7 servers holds in the
 * throughput benchmark: the 1024 / 7 partitions it heads, 100,000 / 7 keys written once before
 * measuring, 32-byte values.
 *
 * <p>Results are per operation (a put of the batch, or a get). Run with
 * {@code scripts/jmh LocalStore} (see bench/README.md).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-XX:+UseSerialGC"})
@State(Scope.Thread)
public class LocalStoreBenchmark {
    /** Puts per store write: what one driver pass gathers at 64 operations in flight. */
    static final int BATCH = 8;
    private static final int PARTITIONS = 1024;
    private static final int SERVERS = 7;
    private static final int KEYS = 100_000;
    private static final String CLIENT = "7f1c2a9e-5b3d-4c8e-9a61-0d2f4b6e8a10";

    @Param({"32"})
    public int valueBytes;

    private Path dir;
    private RocksDbStore store;
    private KeyPartitioner partitioner;
    private ByteString[] keys;
    private int[] partitionOf;
    private ByteString value;
    private final SplittableRandom random = new SplittableRandom(7);
    private long seq;
    private long requestId;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("gtstore-jmh-store");
        store = RocksDbStore.open(dir);
        partitioner = new KeyPartitioner(PARTITIONS);
        byte[][] space = BenchKeys.keys(KEYS);
        List<ByteString> mine = new ArrayList<>();
        List<Integer> parts = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            byte[] k = space[i];
            int p = partitioner.partitionOf(k);
            if (p % SERVERS == 0) {
                mine.add(ByteString.copyFrom(k));
                parts.add(p);
            }
        }
        keys = mine.toArray(new ByteString[0]);
        partitionOf = parts.stream().mapToInt(Integer::intValue).toArray();
        value = ByteString.copyFrom(new byte[valueBytes]);
        for (int from = 0; from < keys.length; from += 256) {
            List<Update> updates = new ArrayList<>();
            Map<Integer, Long> applied = new HashMap<>();
            for (int i = from; i < Math.min(keys.length, from + 256); i++) {
                updates.add(update(i));
                applied.put(partitionOf[i], seq);
            }
            store.apply(StoreBatch.of(store.lastJournal() + 1, updates, applied));
        }
    }

    private Update update(int i) {
        return Update.newBuilder().setPartition(partitionOf[i]).setKey(keys[i]).setValue(value)
                .setSeq(++seq).setClientId(CLIENT).setRequestId(++requestId).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** One pass's write: {@value #BATCH} puts and the journal record of their dedup and seqs. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void applyBatchOfPuts() {
        List<Update> updates = new ArrayList<>(BATCH);
        Map<Integer, Long> applied = new HashMap<>();
        for (int n = 0; n < BATCH; n++) {
            int i = random.nextInt(keys.length);
            updates.add(update(i));
            applied.put(partitionOf[i], seq);
        }
        long journal = store.lastJournal() + 1;
        // The writer remembers the last 4096 batches' requests, as a replica's dedup table does.
        store.apply(new StoreBatch(journal, Math.max(0, journal - 4096), List.of(), updates,
                List.<StoredDedup>of(), applied, Map.of(), Map.of()));
    }

    /** A tail's read of a stored key. */
    @Benchmark
    public Object get() {
        int i = random.nextInt(keys.length);
        return store.get(partitionOf[i], keys[i]);
    }
}
