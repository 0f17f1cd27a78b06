package org.gtstore.bench.cost;

/**
 * One process whose CPU time and memory the benchmark reads.
 *
 * @param kind client, data server or metadata member
 * @param id the member id ({@code server3}, {@code meta1}) or {@code client}
 * @param pid its process id on this machine
 */
public record MeasuredProcess(ProcessKind kind, String id, long pid) {
    public MeasuredProcess {
        if (kind == null) {
            throw new NullPointerException("kind == null");
        }
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("id is empty");
        }
        if (pid <= 0) {
            throw new IllegalArgumentException("pid <= 0: " + pid);
        }
    }

    /** The benchmark's own JVM. */
    public static MeasuredProcess self() {
        return new MeasuredProcess(ProcessKind.CLIENT, "client", ProcessHandle.current().pid());
    }
}
