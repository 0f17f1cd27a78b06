package org.gtstore.bench.cost;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the measured phase of a run cost the machine: the CPU time of every cluster process and
 * of the client per operation, split by kind of process, the share of it the JIT compilers
 * took, what the data servers sent, and each process's memory at the end.
 *
 * @param ops operations measured (the divisor)
 * @param cpuUsPerOp CPU microseconds per operation, all measured processes together
 * @param cpuUsPerOpByKind the same split by kind; every kind is present (0 if none measured)
 * @param compilerCpuPercent the JIT compiler threads' share of that CPU, in percent
 * @param sent what the data servers sent during the phase
 * @param memory every measured process, client included
 * @param notes processes that could not be measured, and why
 */
public record RunCost(long ops, double cpuUsPerOp, Map<ProcessKind, Double> cpuUsPerOpByKind,
        double compilerCpuPercent, ServerCounts sent, List<ProcessMemory> memory,
        List<String> notes) {
    private static final double KIB_PER_MIB = 1024.0;

    public RunCost {
        Map<ProcessKind, Double> byKind = new EnumMap<>(ProcessKind.class);
        for (ProcessKind k : ProcessKind.values()) {
            byKind.put(k, cpuUsPerOpByKind.getOrDefault(k, 0.0));
        }
        cpuUsPerOpByKind = Map.copyOf(byKind);
        memory = List.copyOf(memory);
        notes = List.copyOf(notes);
    }

    /** Nothing measured (no proc file system); {@code why} says so in the report. */
    public static RunCost unmeasured(long ops, String why) {
        return new RunCost(ops, 0, Map.of(), 0, ServerCounts.ZERO, List.of(), List.of(why));
    }

    public double cpuUsPerOp(ProcessKind kind) {
        return cpuUsPerOpByKind.get(kind);
    }

    /** Chain messages per flush on the data servers' lanes. */
    public double msgsPerFlush() {
        return sent.messagesPerFlush();
    }

    /** Updates per chain UpdateBatch message. */
    public double updatesPerMsg() {
        return sent.updatesPerMessage();
    }

    /** Current RSS of the cluster's processes (metadata and data servers, not the client). */
    public double clusterRssMiB() {
        return memory.stream().filter(m -> m.process().kind() != ProcessKind.CLIENT)
                .mapToLong(ProcessMemory::rssKiB).sum() / KIB_PER_MIB;
    }

    /** Sum of the cluster's processes' peak RSS (each its own peak). */
    public double clusterPeakRssMiB() {
        return memory.stream().filter(m -> m.process().kind() != ProcessKind.CLIENT)
                .mapToLong(ProcessMemory::peakRssKiB).sum() / KIB_PER_MIB;
    }

    /** Current RSS of the client (the benchmark's JVM). */
    public double clientRssMiB() {
        return memoryOf(ProcessKind.CLIENT).stream().mapToLong(ProcessMemory::rssKiB).sum()
                / KIB_PER_MIB;
    }

    /** The processes of one kind. */
    public List<ProcessMemory> memoryOf(ProcessKind kind) {
        return memory.stream().filter(m -> m.process().kind() == kind).toList();
    }
}
