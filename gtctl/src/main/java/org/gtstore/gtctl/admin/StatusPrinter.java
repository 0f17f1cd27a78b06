package org.gtstore.gtctl.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.gtstore.proto.CopyProgress;

/**
 * The human form of {@code gtctl cluster status}:
 *
 * <pre>
 * Map epoch 42 (server3 dead: connection refused)
 *
 * METADATA  ADDRESS          PID   ROLE      TERM
 * meta1     127.0.0.1:40002  1234  LEADER    3
 * meta3     127.0.0.1:40006  -     DOWN      -
 *
 * SERVER    ADDRESS          PID   STATE  HEADS  REPLICAS
 * server1   127.0.0.1:40011  1240  ALIVE  205    410
 *
 * Partitions: 1024 total, 12 under-replicated (fewer than 2 live replicas), 0 unavailable
 * Under-replicated: 3, 17, 45 ... and 9 more
 * Copying to server4: 12 partitions, 1200/5000 keys (24%)
 * Durability replicated
 * Cluster id 6f1c...
 * </pre>
 */
final class StatusPrinter {
    static final int PARTITIONS_LISTED_MAX = 20;

    private StatusPrinter() {
    }

    static List<String> lines(StatusReport r, StatusReport.Details d) {
        List<String> out = new ArrayList<>();
        out.add("Map epoch " + r.epoch() + (d.cause().isEmpty() ? "" : " (" + d.cause() + ")"));
        out.add("");
        TextTable meta = new TextTable("METADATA", "ADDRESS", "PID", "ROLE", "TERM");
        for (StatusReport.MetadataRow m : r.metadata()) {
            boolean down = m.role().equals("DOWN");
            meta.row(m.id(), m.address(), pid(m.pid()), m.role(), down ? "-" : m.term());
        }
        out.addAll(meta.lines());
        out.add("");
        TextTable servers = new TextTable("SERVER", "ADDRESS", "PID", "STATE", "HEADS",
                "REPLICAS");
        for (StatusReport.ServerRow s : r.servers()) {
            servers.row(s.id(), s.address(), pid(s.pid()), s.state(), s.heads(), s.replicas());
        }
        for (String id : d.notRegistered()) {
            servers.row(id, "-", "-", "NOT REGISTERED", "-", "-");
        }
        out.addAll(servers.lines());
        out.add("");
        StatusReport.PartitionCounts p = r.partitions();
        out.add("Partitions: " + p.total() + " total, " + p.underReplicated()
                + " under-replicated (fewer than " + d.replication() + " live replicas), "
                + p.unavailable() + " unavailable (no live replica)");
        if (!d.underReplicated().isEmpty()) {
            out.add("Under-replicated: " + list(d.underReplicated()));
        }
        if (!d.unavailable().isEmpty()) {
            out.add("Unavailable: " + list(d.unavailable()));
        }
        if (!d.awaited().isEmpty()) {
            out.add("Waiting for " + String.join(", ", d.awaited()) + " to come back with"
                    + " their data: the replica holding most serves each unavailable partition"
                    + " again");
        }
        MoveProgress m = d.moves();
        if (m.copying() + m.shedding() > 0) {
            out.add("Moving: " + m.copying() + " partitions copying to a new replica, "
                    + m.shedding() + " shedding a member (replica slots "
                    + MoveProgress.range(m.slots()) + ", heads " + MoveProgress.range(m.heads())
                    + " per server)");
        }
        out.addAll(copyLines(d.progress()));
        out.add("Durability " + r.durability());
        if (!d.clusterId().isEmpty()) {
            out.add("Cluster id " + d.clusterId());
        }
        return out;
    }

    /** Copy progress summed per receiving server, so hundreds of copies stay a few lines. */
    static List<String> copyLines(List<CopyProgress> progress) {
        Map<String, long[]> byServer = new TreeMap<>(StatusReport::compareIds);
        for (CopyProgress c : progress) {
            long[] sums = byServer.computeIfAbsent(c.getServerId(), k -> new long[3]);
            sums[0]++;
            sums[1] += c.getCopiedKeys();
            sums[2] += c.getTotalKeys();
        }
        List<String> lines = new ArrayList<>();
        byServer.forEach((server, sums) -> {
            long percent = sums[2] == 0 ? 100 : 100 * sums[1] / sums[2];
            lines.add("Copying to " + server + ": " + sums[0] + " partition"
                    + (sums[0] == 1 ? "" : "s") + ", " + sums[1] + "/" + sums[2] + " keys ("
                    + percent + "%)");
        });
        return lines;
    }

    private static String pid(long pid) {
        return pid > 0 ? Long.toString(pid) : "-";
    }

    static String list(List<Integer> partitions) {
        String shown = partitions.stream().limit(PARTITIONS_LISTED_MAX)
                .map(String::valueOf).collect(Collectors.joining(", "));
        int more = partitions.size() - PARTITIONS_LISTED_MAX;
        return more > 0 ? shown + " ... and " + more + " more" : shown;
    }
}
