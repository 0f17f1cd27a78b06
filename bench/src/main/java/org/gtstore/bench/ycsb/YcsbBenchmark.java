package org.gtstore.bench.ycsb;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Runs YCSB's own client ({@code site.ycsb.Client}) with the GTStore binding against a running
 * cluster: for each workload, a load phase that inserts the records into a table of its own
 * ({@code ycsb<workload>}), then the run phase. Each phase is a child JVM on this process's
 * class path (YCSB's client ends with {@code System.exit} and keeps its measurements in a
 * static), whose report YCSB writes to {@code ycsb-<workload>-<phase>.txt} in the results
 * directory; its log (status lines, errors) goes to the {@code .log} beside it.
 */
public final class YcsbBenchmark {
    /** Heap of a YCSB child JVM: its client, threads and histograms. */
    private static final String CHILD_HEAP = "-Xmx512m";

    /**
     * @param workloads the workloads, a to f
     * @param records records each load inserts
     * @param operations operations each run phase does
     * @param threads YCSB client threads (each with one operation in flight)
     * @param metadata the metadata members' addresses
     * @param extra more YCSB properties ({@code gtstore.tls-ca} and so on), may be empty
     */
    public record Config(List<String> workloads, int records, int operations, int threads,
            List<String> metadata, Map<String, String> extra, Path dir, long phaseTimeoutSec) {
    }

    private YcsbBenchmark() {
    }

    /** Every phase of every workload, in order; {@code log} hears each as it ends. */
    public static List<YcsbPhase> run(Config c, PrintWriter log) throws IOException,
            InterruptedException {
        Files.createDirectories(c.dir());
        List<YcsbPhase> phases = new ArrayList<>();
        for (String w : c.workloads()) {
            Path file = c.dir().resolve("workload" + w + ".properties");
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                YcsbWorkloads.of(w).store(out, "YCSB core workload " + w
                        + " (as its workloads/workload" + w + " file)");
            }
            for (String phase : List.of("load", "run")) {
                YcsbPhase p = phase(c, w, phase, file);
                phases.add(p);
                log.printf("[ycsb %s %s] %,.0f ops/s, %,d ms, %d failed%n", w, phase,
                        p.opsPerSec(), p.runtimeMs(), p.failed());
                log.flush();
            }
        }
        return phases;
    }

    private static YcsbPhase phase(Config c, String workload, String phase, Path file)
            throws IOException, InterruptedException {
        Path report = c.dir().resolve("ycsb-" + workload + "-" + phase + ".txt");
        Path childLog = c.dir().resolve("ycsb-" + workload + "-" + phase + ".log");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), CHILD_HEAP,
                "-cp", System.getProperty("java.class.path"), "site.ycsb.Client",
                phase.equals("load") ? "-load" : "-t",
                "-db", GtStoreYcsbDb.class.getName(), "-P", file.toString(), "-s"));
        Properties p = new Properties();
        p.setProperty("recordcount", Integer.toString(c.records()));
        p.setProperty("operationcount", Integer.toString(c.operations()));
        p.setProperty("threadcount", Integer.toString(c.threads()));
        p.setProperty("table", "ycsb" + workload);
        p.setProperty("gtstore.meta", String.join(",", c.metadata()));
        p.setProperty("measurementtype", "hdrhistogram");
        p.setProperty("exportfile", report.toString());
        c.extra().forEach(p::setProperty);
        for (String name : p.stringPropertyNames()) {
            cmd.add("-p");
            cmd.add(name + "=" + p.getProperty(name));
        }
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(childLog.toFile()).start();
        if (!child.waitFor(c.phaseTimeoutSec(), TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new IOException("YCSB " + phase + " of workload " + workload + " did not end"
                    + " in " + c.phaseTimeoutSec() + " s; its log: " + childLog);
        }
        if (child.exitValue() != 0 || !Files.exists(report)) {
            throw new IOException("YCSB " + phase + " of workload " + workload + " failed (exit "
                    + child.exitValue() + "): " + tail(childLog));
        }
        return YcsbPhase.parse(workload, phase, Files.readString(report));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5),
                    lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
