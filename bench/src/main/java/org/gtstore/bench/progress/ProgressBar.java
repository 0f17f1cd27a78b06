package org.gtstore.bench.progress;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Draws a progress bar on a terminal line, redrawn in place with a carriage return:
 *
 * <pre>
 * K=3      [#####.....] 45% 102,345/200,000 38,120 ops/s
 * </pre>
 *
 * The phase name leads the line; the line ends (newline) when the phase finishes, with the
 * phase's average rate and its errors, if any. Numbers use US grouping so output does not depend
 * on the machine's locale.
 */
public final class ProgressBar implements ProgressListener {
    public static final int DEFAULT_WIDTH = 30;

    private final PrintWriter out;
    private final int width;
    private int lastLength;

    public ProgressBar(PrintWriter out) {
        this(out, DEFAULT_WIDTH);
    }

    public ProgressBar(PrintWriter out, int width) {
        if (out == null) {
            throw new NullPointerException("out == null");
        }
        if (width <= 0) {
            throw new IllegalArgumentException("width <= 0: " + width);
        }
        this.out = out;
        this.width = width;
    }

    @Override
    public void onProgress(Progress progress) {
        String line = String.format(Locale.ROOT, "%-8s ", progress.phase()) + render(progress);
        if (progress.errors() > 0) {
            line += String.format(Locale.US, " %,d errors", progress.errors());
        }
        // Blank out what is left of a longer previous line.
        int pad = Math.max(0, lastLength - line.length());
        out.print("\r" + line + " ".repeat(pad));
        if (progress.finished()) {
            out.println();
            lastLength = 0;
        } else {
            lastLength = line.length();
        }
        out.flush();
    }

    /** The bar itself, e.g. {@code [#####.....] 45% 102,345/200,000 38,120 ops/s}. */
    public String render(Progress progress) {
        double fraction = progress.fraction();
        int filled = (int) Math.min(width, Math.round(fraction * width));
        int percent = (int) Math.floor(fraction * 100.0);
        return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] "
                + String.format(Locale.US, "%d%% %,d/%,d %,d ops/s",
                        percent, progress.completed(), progress.total(),
                        Math.round(progress.recentOpsPerSec()));
    }
}
