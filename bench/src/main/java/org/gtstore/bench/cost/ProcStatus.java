package org.gtstore.bench.cost;

/**
 * The memory fields of {@code /proc/<pid>/status} the benchmark reports.
 *
 * @param rssKiB VmRSS: resident set size now
 * @param peakRssKiB VmHWM: the highest resident set size since the process started
 */
public record ProcStatus(long rssKiB, long peakRssKiB) {
    /**
     * Parses the text of a status file ({@code "VmHWM:\t  123456 kB"} lines among others).
     *
     * @throws IllegalArgumentException if VmRSS or VmHWM is missing (a kernel thread, or not
     *     a status file)
     */
    public static ProcStatus parse(String text) {
        if (text == null) {
            throw new NullPointerException("text == null");
        }
        long rss = -1;
        long peak = -1;
        for (String line : text.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                rss = kib(line);
            } else if (line.startsWith("VmHWM:")) {
                peak = kib(line);
            }
        }
        if (rss < 0 || peak < 0) {
            throw new IllegalArgumentException("no VmRSS and VmHWM in /proc status");
        }
        return new ProcStatus(rss, peak);
    }

    private static long kib(String line) {
        String[] parts = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
        if (parts.length != 2 || !parts[1].equals("kB")) {
            throw new IllegalArgumentException("unexpected /proc status line: " + line);
        }
        try {
            return Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unexpected /proc status line: " + line, e);
        }
    }
}
