package org.gtstore.gtctl.cluster;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The last lines of a member's log file, for error messages and test failure output. */
public final class LogTail {
    private static final int BYTES_MAX = 64 * 1024;

    private LogTail() {
    }

    /** Up to {@code lines} last lines; empty if the file does not exist or cannot be read. */
    public static List<String> lastLines(Path file, int lines) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            int n = (int) Math.min(length, BYTES_MAX);
            byte[] bytes = new byte[n];
            f.seek(length - n);
            f.readFully(bytes);
            List<String> all = new ArrayList<>(
                    Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\r?\n")));
            if (n < length && !all.isEmpty()) {
                all.remove(0); // The first line was cut in the middle.
            }
            all.removeIf(String::isBlank);
            return List.copyOf(all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return List.of("(cannot read " + file + ": " + e.getMessage() + ")");
        }
    }

    /** The last non-blank line, or a placeholder when the log is empty. */
    static String lastLine(Path file) {
        List<String> lines = lastLines(file, 1);
        return lines.isEmpty() ? "(empty log)" : lines.get(0).strip();
    }
}
