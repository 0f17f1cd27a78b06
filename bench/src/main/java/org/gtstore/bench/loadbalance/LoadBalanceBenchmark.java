package org.gtstore.bench.loadbalance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.gtstore.bench.driver.ClosedLoopDriver;
import org.gtstore.bench.driver.Operations;
import org.gtstore.bench.driver.PhaseResult;
import org.gtstore.bench.progress.ProgressListener;
import org.gtstore.bench.target.KvTarget;
import org.gtstore.bench.workload.KeySpace;
import org.gtstore.bench.workload.ValueSource;
import org.gtstore.proto.PartitionMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load-balance benchmark: insert distinct keys, then count how many each server heads.
 *
 * <p>The count is taken three ways. The servers' own {@code keys_headed} is the truth when it
 * adds up to the keys inserted (a fresh cluster). If it does not (a running cluster that already
 * held keys) or the servers cannot be asked, the keys are routed through the partition map
 * instead, which counts exactly the keys this run wrote. The map count and the heads named in
 * the put replies cross-check the chosen count; any disagreement is a note in the result.
 */
public final class LoadBalanceBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(LoadBalanceBenchmark.class);

    public static final String INSERT_PHASE = "insert";

    private LoadBalanceBenchmark() {
    }

    public static LoadBalanceResult run(LoadBalanceConfig config, KvTarget target,
            ClusterInspector inspector, ProgressListener listener) throws InterruptedException {
        KeySpace keys = new KeySpace(config.seed(), config.keyCount());
        ValueSource values = new ValueSource(config.seed(), config.valueBytes());
        Map<String, LongAdder> replies = new ConcurrentHashMap<>();
        AtomicIntegerArray failed = new AtomicIntegerArray(config.keyCount());
        Operations inserts = new Operations() {
            @Override
            public CompletionStage<?> start(int index) {
                return target.put(keys.key(index), values.value(index));
            }

            @Override
            public void completed(int index, long latencyNs, Object result, Throwable error) {
                if (error != null) {
                    failed.set(index, 1);
                } else if (result instanceof String head) {
                    replies.computeIfAbsent(head, h -> new LongAdder()).increment();
                }
            }
        };
        LOG.info("load balance: inserting {} keys, {} in flight", config.keyCount(),
                config.driver().inFlight());
        PhaseResult inserted = ClosedLoopDriver.run(
                INSERT_PHASE, config.keyCount(), config.driver(), inserts, listener);
        int[] written = IntStream.range(0, config.keyCount())
                .filter(i -> failed.get(i) == 0).toArray();
        Map<String, Long> byReplies = replies.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum()));
        return count(inserted, written, keys, byReplies, inspector);
    }

    private static LoadBalanceResult count(PhaseResult inserted, int[] written, KeySpace keys,
            Map<String, Long> byReplies, ClusterInspector inspector) {
        List<String> notes = new ArrayList<>();
        PartitionMap map = inspector.map();
        Map<String, Long> byMap = new HeadCounter(map).count(written.length,
                i -> keys.key(written[i]));
        Map<String, Long> byStats = Map.of();
        try {
            byStats = inspector.keysHeaded();
        } catch (RuntimeException e) {
            notes.add("server counts unavailable, counting by the map: " + e.getMessage());
        }
        CountSource source = CountSource.MAP_ROUTING;
        long statsTotal = byStats.values().stream().mapToLong(Long::longValue).sum();
        if (!byStats.isEmpty() && statsTotal == written.length) {
            source = CountSource.SERVER_STATS;
            notes.addAll(disagreements("servers", byStats, "map", byMap));
        } else if (!byStats.isEmpty()) {
            notes.add(String.format("servers head %,d keys in all but this run wrote %,d (the "
                    + "cluster held other keys); counting by the map", statsTotal, written.length));
        }
        if (!byReplies.isEmpty()) {
            notes.addAll(disagreements("put replies", byReplies, "map", byMap));
        }
        Map<String, Long> chosen = source == CountSource.SERVER_STATS ? byStats : byMap;
        BalanceStats stats = BalanceStats.of(chosen);
        notes.forEach(note -> LOG.warn("load balance: {}", note));
        return new LoadBalanceResult(written.length, inserted.errors(), source, chosen,
                stats.maxOverMean(), stats.minOverMean(), map.getEpoch(), byStats, byMap,
                byReplies, notes);
    }

    /** One note per server whose two counts differ (a missing server counts 0). */
    static List<String> disagreements(String aName, Map<String, Long> a, String bName,
            Map<String, Long> b) {
        TreeSet<String> ids = new TreeSet<>(ServerIds.NATURAL_ORDER);
        ids.addAll(a.keySet());
        ids.addAll(b.keySet());
        List<String> notes = new ArrayList<>();
        for (String id : ids) {
            long x = a.getOrDefault(id, 0L);
            long y = b.getOrDefault(id, 0L);
            if (x != y) {
                notes.add(String.format("%s: %s say %,d keys, %s says %,d",
                        id, aName, x, bName, y));
            }
        }
        return notes;
    }
}
