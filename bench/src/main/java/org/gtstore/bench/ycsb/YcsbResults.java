package org.gtstore.bench.ycsb;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.gtstore.bench.report.Charts;

/**
 * The outputs of {@code bench ycsb} beside YCSB's own reports: {@code ycsb.json} (every phase
 * with its operations), {@code ycsb.csv} (a line per phase and operation) and
 * {@code ycsb.png} (the run phases' throughput, a bar per workload).
 */
public final class YcsbResults {
    public static final String JSON = "ycsb.json";
    public static final String CSV = "ycsb.csv";
    public static final String PNG = "ycsb.png";

    private YcsbResults() {
    }

    /** Writes the three files under {@code dir}; returns them. */
    public static List<Path> write(Path dir, List<YcsbPhase> phases, String subtitle)
            throws IOException {
        Path json = dir.resolve(JSON);
        Files.writeString(json, json(phases));
        Path csv = dir.resolve(CSV);
        Files.writeString(csv, csv(phases));
        Map<String, Double> runs = new LinkedHashMap<>();
        for (YcsbPhase p : phases) {
            if (p.phase().equals("run")) {
                runs.put(p.workload().toUpperCase(Locale.ROOT), p.opsPerSec());
            }
        }
        Path png = dir.resolve(PNG);
        Charts.writePng(Charts.bars("GTStore YCSB throughput by workload", "workload",
                "operations per second", runs, subtitle), png);
        return List.of(json, csv, png);
    }

    static String json(List<YcsbPhase> phases) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (YcsbPhase p : phases) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("workload", p.workload());
            m.put("phase", p.phase());
            m.put("opsPerSec", Math.round(p.opsPerSec() * 10) / 10.0);
            m.put("runtimeMs", p.runtimeMs());
            m.put("failed", p.failed());
            m.put("operations", p.ops());
            out.add(m);
        }
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(out) + "\n";
    }

    static String csv(List<YcsbPhase> phases) {
        StringBuilder out = new StringBuilder("workload,phase,ops_per_sec,runtime_ms,operation,"
                + "count,avg_us,p95_us,p99_us,failed\n");
        for (YcsbPhase p : phases) {
            p.ops().forEach((op, s) -> out.append(String.format(Locale.ROOT,
                    "%s,%s,%.1f,%d,%s,%d,%.1f,%.0f,%.0f,%d%n", p.workload(), p.phase(),
                    p.opsPerSec(), p.runtimeMs(), op, s.operations(), s.averageUs(), s.p95Us(),
                    s.p99Us(), s.failed())));
        }
        return out.toString();
    }
}
