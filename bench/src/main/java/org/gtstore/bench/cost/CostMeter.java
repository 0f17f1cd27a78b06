package org.gtstore.bench.cost;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures what a phase costs the whole machine: the client's own JVM and the cluster's
 * processes (from the {@link ClusterProbe}), read from the proc file system.
 *
 * <pre>
 *   counts before -> CPU sample -> ... measured phase ... -> CPU sample -> counts after, memory
 * </pre>
 * The data servers' counts are read outside the two CPU samples, so the stats RPCs do not add
 * to the CPU measured. The processes are found once, when the meter is made; one that ends
 * later drops out of every later difference.
 */
public final class CostMeter {
    private static final Logger LOG = LoggerFactory.getLogger(CostMeter.class);

    private final ProcFs proc;
    private final long ticksPerSecond;
    private final ClusterProbe probe;
    private final List<MeasuredProcess> processes;
    private final List<String> notes;

    CostMeter(ProcFs proc, long ticksPerSecond, ClusterProbe probe,
            List<MeasuredProcess> processes, List<String> notes) {
        if (ticksPerSecond <= 0) {
            throw new IllegalArgumentException("ticksPerSecond <= 0: " + ticksPerSecond);
        }
        this.proc = proc;
        this.ticksPerSecond = ticksPerSecond;
        this.probe = probe;
        this.processes = List.copyOf(processes);
        this.notes = List.copyOf(notes);
    }

    /**
     * A meter of this JVM and the processes {@code probe} finds, on this machine's
     * {@code /proc}; without a proc file system it measures nothing and says so.
     */
    public static CostMeter open(ClusterProbe probe) {
        ProcFs proc = ProcFs.system();
        List<String> notes = new ArrayList<>();
        List<MeasuredProcess> found = new ArrayList<>();
        if (!proc.isAvailable()) {
            notes.add("no /proc on this machine: CPU and memory are not measured");
        } else {
            found.add(MeasuredProcess.self());
            found.addAll(probe.processes(notes));
        }
        long ticks = ProcFs.clockTicksPerSecond();
        LOG.info("measuring CPU and memory of {} processes ({} clock ticks/s){}", found.size(),
                ticks, notes.isEmpty() ? "" : "; " + notes);
        return new CostMeter(proc, ticks, probe, found, notes);
    }

    /** A meter of exactly these processes (tests). */
    public static CostMeter of(ProcFs proc, long ticksPerSecond, ClusterProbe probe,
            List<MeasuredProcess> processes) {
        return new CostMeter(proc, ticksPerSecond, probe, processes, List.of());
    }

    public List<MeasuredProcess> processes() {
        return processes;
    }

    public long ticksPerSecond() {
        return ticksPerSecond;
    }

    /** The CPU ticks of every process now, and of their compiler threads if asked. */
    public CpuSample cpu(boolean withCompilerThreads) {
        Map<MeasuredProcess, Long> ticks = new HashMap<>();
        Map<MeasuredProcess, Map<Long, Long>> compilers = new HashMap<>();
        for (MeasuredProcess p : processes) {
            Optional<ProcStat> stat = proc.stat(p.pid());
            if (stat.isEmpty()) {
                continue;
            }
            ticks.put(p, stat.get().cpuTicks());
            if (withCompilerThreads) {
                compilers.put(p, proc.compilerThreadTicks(p.pid()));
            }
        }
        return new CpuSample(System.nanoTime(), ticks, compilers);
    }

    /** The data servers' send counts now, by server id. */
    public Map<String, ServerCounts> serverCounts() {
        return probe.serverCounts();
    }

    /** Microseconds of CPU that {@code ticks} clock ticks are. */
    public double microseconds(long ticks) {
        return ticks * 1e6 / ticksPerSecond;
    }

    /**
     * The cost of the {@code ops} operations run between the samples and counts, with every
     * process's memory read now.
     */
    public RunCost cost(long ops, CpuSample before, CpuSample after,
            Map<String, ServerCounts> countsBefore, Map<String, ServerCounts> countsAfter) {
        if (ops <= 0) {
            throw new IllegalArgumentException("ops <= 0: " + ops);
        }
        Map<ProcessKind, Double> byKind = new HashMap<>();
        for (ProcessKind k : ProcessKind.values()) {
            byKind.put(k, microseconds(after.ticksSince(before, k)) / ops);
        }
        long total = after.ticksSince(before);
        double compilerPercent = total <= 0 ? 0.0
                : 100.0 * after.compilerTicksSince(before) / total;
        List<ProcessMemory> memory = new ArrayList<>();
        List<String> runNotes = new ArrayList<>(notes);
        for (MeasuredProcess p : processes) {
            Optional<ProcStatus> status = proc.status(p.pid());
            logProcess(p, before, after, status);
            if (status.isPresent() && after.ticks().containsKey(p)) {
                memory.add(new ProcessMemory(p, status.get().rssKiB(),
                        status.get().peakRssKiB()));
            } else {
                runNotes.add(p.id() + " (pid " + p.pid() + ") ended during the run");
            }
        }
        return new RunCost(ops, microseconds(total) / ops, byKind, compilerPercent,
                sentBetween(countsBefore, countsAfter), memory, runNotes);
    }

    private void logProcess(MeasuredProcess p, CpuSample before, CpuSample after,
            Optional<ProcStatus> status) {
        if (!LOG.isDebugEnabled() || !before.ticks().containsKey(p)
                || !after.ticks().containsKey(p)) {
            return;
        }
        CpuSample mineBefore = before.only(p);
        CpuSample mineAfter = after.only(p);
        LOG.debug("{} (pid {}): {} ms CPU, of which JIT compilers {} ms; RSS {} KiB, peak {} KiB",
                p.id(), p.pid(), Math.round(microseconds(mineAfter.ticksSince(mineBefore)) / 1e3),
                Math.round(microseconds(mineAfter.compilerTicksSince(mineBefore)) / 1e3),
                status.map(ProcStatus::rssKiB).orElse(0L),
                status.map(ProcStatus::peakRssKiB).orElse(0L));
    }

    /** The counts' growth, over the servers read both times. */
    static ServerCounts sentBetween(Map<String, ServerCounts> before,
            Map<String, ServerCounts> after) {
        ServerCounts sum = ServerCounts.ZERO;
        for (Map.Entry<String, ServerCounts> e : after.entrySet()) {
            ServerCounts was = before.get(e.getKey());
            if (was != null) {
                sum = sum.plus(e.getValue().minus(was));
            }
        }
        return sum;
    }
}
