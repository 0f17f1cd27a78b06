package org.gtstore.bench.report;

import java.util.Locale;
import java.util.Map;
import org.gtstore.bench.loadbalance.BalanceStats;

/**
 * A horizontal bar chart for the terminal: one line per server, the bar scaled so the largest
 * count fills the width, then the count and its ratio to the mean.
 *
 * <pre>
 * server1  ########################################  14,402  1.008
 * server2  #######################################   14,215  0.995
 * </pre>
 */
public final class TextHistogram {
    public static final int DEFAULT_WIDTH = 40;

    private TextHistogram() {
    }

    public static String render(Map<String, Long> counts, int width) {
        if (width <= 0) {
            throw new IllegalArgumentException("width <= 0: " + width);
        }
        BalanceStats stats = BalanceStats.of(counts);
        int nameWidth = counts.keySet().stream().mapToInt(String::length).max().orElse(0);
        int countWidth = String.format(Locale.US, "%,d", stats.max()).length();
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            long n = e.getValue();
            int bar = stats.max() == 0 ? 0 : (int) Math.round((double) n * width / stats.max());
            out.append(String.format(Locale.US, "%-" + nameWidth + "s  %s%s  %,"
                    + countWidth + "d  %.3f%n", e.getKey(), "#".repeat(bar),
                    " ".repeat(width - bar), n, stats.mean() == 0 ? 0.0 : n / stats.mean()));
        }
        return out.toString();
    }
}
