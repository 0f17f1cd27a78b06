package org.gtstore.bench.cost;

/**
 * The fields of one {@code /proc/<pid>/stat} (or {@code /proc/<pid>/task/<tid>/stat}) line that
 * the benchmark uses: the command name and the CPU time in clock ticks.
 *
 * <p>The line is {@code pid (comm) state ppid ...}; {@code comm} may hold spaces and
 * parentheses ({@code "C2 CompilerThre"}, {@code "a) b"}), so it runs from the first
 * {@code '('} to the LAST {@code ')'}, and the numbered fields are counted after it: utime is
 * field 14 and stime field 15 (proc(5)).
 *
 * @param pid the process (or thread) id
 * @param comm the command name, at most 15 characters, as the kernel keeps it
 * @param userTicks utime: CPU time in user mode, in clock ticks
 * @param systemTicks stime: CPU time in kernel mode, in clock ticks
 */
public record ProcStat(long pid, String comm, long userTicks, long systemTicks) {
    /** Fields from state (field 3) to stime (field 15) after the closing parenthesis. */
    private static final int FIELDS_AFTER_COMM = 13;

    /** User plus system CPU time in clock ticks. */
    public long cpuTicks() {
        return userTicks + systemTicks;
    }

    /**
     * Parses one stat line.
     *
     * @throws IllegalArgumentException if the line is not a stat line
     */
    public static ProcStat parse(String line) {
        if (line == null) {
            throw new NullPointerException("line == null");
        }
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open <= 0 || close < open) {
            throw new IllegalArgumentException("not a /proc stat line: " + line);
        }
        String[] rest = line.substring(close + 1).trim().split("\\s+");
        if (rest.length < FIELDS_AFTER_COMM) {
            throw new IllegalArgumentException("too few fields in /proc stat line: " + line);
        }
        try {
            long pid = Long.parseLong(line.substring(0, open).trim());
            // rest[0] is field 3 (state), so field n is rest[n - 3].
            return new ProcStat(pid, line.substring(open + 1, close),
                    Long.parseLong(rest[14 - 3]), Long.parseLong(rest[15 - 3]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number in /proc stat line: " + line, e);
        }
    }
}
