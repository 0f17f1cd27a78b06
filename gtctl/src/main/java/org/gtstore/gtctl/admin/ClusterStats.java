package org.gtstore.gtctl.admin;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.gtstore.proto.Chain;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.PartitionSeq;
import org.gtstore.proto.PassHistogram;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.proto.StatsResponse;

/**
 * What {@code gtctl cluster stats} shows per data server, from two GetStats answers an
 * interval apart: requests per second, the 99th percentile of its driver passes in the
 * interval (every request waits for about one pass and is handled in one), its live keys
 * (held, and headed) and its largest lag behind its chains (updates the most advanced member
 * of one of its partitions has applied and it has not).
 */
record ClusterStats(long epoch, long intervalMs, List<Row> servers) {

    /**
     * One server; {@code answered} false if it did not answer (the numbers are then 0).
     * {@code passP99Ms} is an upper bound (the histogram bucket it falls in); -1: above 1 s.
     */
    record Row(String id, String address, String state, boolean answered, double opsPerSec,
            double putsPerSec, double getsPerSec, double passP99Ms, long keysHeld,
            long keysHeaded, long maxLag) {
    }

    /**
     * @param first each server's counts at the start of the interval
     * @param second each server's full stats at its end
     */
    static ClusterStats of(PartitionMap map, Map<String, StatsResponse> first,
            Map<String, StatsResponse> second, long intervalNanos) {
        Map<String, Map<Integer, Long>> applied = new HashMap<>();
        second.forEach((id, s) -> {
            Map<Integer, Long> m = new HashMap<>();
            for (PartitionSeq p : s.getAppliedList()) {
                m.put(p.getPartition(), p.getSeq());
            }
            applied.put(id, m);
        });
        double seconds = Math.max(1e-9, intervalNanos / 1e9);
        List<Row> rows = new ArrayList<>();
        for (ServerInfo s : map.getServersList()) {
            StatsResponse a = first.get(s.getId());
            StatsResponse b = second.get(s.getId());
            String state = s.getState().name();
            if (a == null || b == null) {
                rows.add(new Row(s.getId(), s.getAddress(), state, false, 0, 0, 0, 0, 0, 0, 0));
                continue;
            }
            double puts = (b.getPuts() - a.getPuts()) / seconds;
            double gets = (b.getGets() - a.getGets()) / seconds;
            rows.add(new Row(s.getId(), s.getAddress(), state, true, puts + gets, puts, gets,
                    p99Ms(a.getPasses(), b.getPasses()), b.getKeysHeld(), b.getKeysHeaded(),
                    s.getState() == ServerState.DEAD ? 0 : maxLag(map, s.getId(), applied)));
        }
        return new ClusterStats(map.getEpoch(), Math.round(intervalNanos / 1e6), rows);
    }

    /** The upper bound, in ms, of the bucket holding the 99th percentile of the interval. */
    static double p99Ms(PassHistogram before, PassHistogram after) {
        int n = after.getCountsCount();
        long[] delta = new long[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            delta[i] = after.getCounts(i) - (i < before.getCountsCount() ? before.getCounts(i)
                    : 0);
            total += delta[i];
        }
        if (total == 0) {
            return 0;
        }
        long seen = 0;
        for (int i = 0; i < n; i++) {
            seen += delta[i];
            if (seen >= Math.ceil(total * 0.99)) {
                double bound = after.getUpperBounds(i);
                return Double.isInfinite(bound) ? -1 : bound * 1000;
            }
        }
        return -1;
    }

    private static long maxLag(PartitionMap map, String id,
            Map<String, Map<Integer, Long>> applied) {
        Map<Integer, Long> mine = applied.get(id);
        long worst = 0;
        for (Chain c : map.getChainsList()) {
            if (!c.getReplicasList().contains(id)) {
                continue;
            }
            long best = 0;
            for (String member : c.getReplicasList()) {
                Map<Integer, Long> theirs = applied.get(member);
                if (theirs != null) {
                    best = Math.max(best, theirs.getOrDefault(c.getPartition(), 0L));
                }
            }
            worst = Math.max(worst, best - mine.getOrDefault(c.getPartition(), 0L));
        }
        return worst;
    }

    /** The table people read. */
    String table() {
        TextTable t = new TextTable("SERVER", "STATE", "OPS/S", "PUTS/S", "GETS/S",
                "P99 PASS", "KEYS", "HEADED", "MAX LAG");
        for (Row r : servers) {
            if (!r.answered()) {
                t.row(r.id(), r.state(), "-", "-", "-", "-", "-", "-", "no answer");
                continue;
            }
            t.row(r.id(), r.state(), String.format(Locale.ROOT, "%,.0f", r.opsPerSec()),
                    String.format(Locale.ROOT, "%,.0f", r.putsPerSec()),
                    String.format(Locale.ROOT, "%,.0f", r.getsPerSec()),
                    r.passP99Ms() < 0 ? "> 1 s" : String.format(Locale.ROOT, "<= %s ms",
                            trim(r.passP99Ms())),
                    String.format(Locale.ROOT, "%,d", r.keysHeld()),
                    String.format(Locale.ROOT, "%,d", r.keysHeaded()),
                    String.format(Locale.ROOT, "%,d", r.maxLag()));
        }
        return "epoch " + epoch + ", over " + intervalMs + " ms\n"
                + String.join("\n", t.lines()) + "\n";
    }

    private static String trim(double ms) {
        return ms == Math.rint(ms) ? Long.toString((long) ms)
                : String.format(Locale.ROOT, "%.2f", ms).replaceAll("0+$", "");
    }
}
