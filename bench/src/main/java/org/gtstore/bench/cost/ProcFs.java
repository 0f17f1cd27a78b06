package org.gtstore.bench.cost;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Reads processes' CPU time and memory from a proc file system ({@code /proc} on Linux; tests
 * give a directory of sample files). A process that has gone reads as empty, not as an error:
 * a benchmark must survive a server that died.
 *
 * <p>The JIT compilers of a HotSpot JVM are threads whose names start
 * {@code "C1 CompilerThread"} or {@code "C2 CompilerThread"}, which the kernel keeps as the
 * 15-character comm {@code "C1 CompilerThre"}; their CPU time says whether a JVM is still
 * compiling.
 */
public final class ProcFs {
    /** The clock-tick rate to assume when {@code getconf CLK_TCK} cannot be run. */
    public static final long DEFAULT_CLOCK_TICKS_PER_SECOND = 100;

    private static final String[] COMPILER_THREAD_PREFIXES = {"C1 CompilerThre",
            "C2 CompilerThre"};

    private final Path root;

    public ProcFs(Path root) {
        if (root == null) {
            throw new NullPointerException("root == null");
        }
        this.root = root;
    }

    /** This machine's {@code /proc}. */
    public static ProcFs system() {
        return new ProcFs(Path.of("/proc"));
    }

    /** True if this machine has a proc file system to read. */
    public boolean isAvailable() {
        return Files.isRegularFile(root.resolve("self").resolve("stat"));
    }

    /** The stat line of {@code pid}, or empty if it has gone. */
    public Optional<ProcStat> stat(long pid) {
        return read(root.resolve(Long.toString(pid)).resolve("stat")).map(ProcStat::parse);
    }

    /** The memory of {@code pid}, or empty if it has gone. */
    public Optional<ProcStatus> status(long pid) {
        return read(root.resolve(Long.toString(pid)).resolve("status")).map(ProcStatus::parse);
    }

    /**
     * The CPU ticks of each JIT compiler thread of {@code pid} now, by thread id; empty if the
     * process has gone or runs no such thread.
     */
    public Map<Long, Long> compilerThreadTicks(long pid) {
        Map<Long, Long> ticks = new HashMap<>();
        Path tasks = root.resolve(Long.toString(pid)).resolve("task");
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tasks)) {
            for (Path task : dirs) {
                read(task.resolve("stat")).map(ProcStat::parse)
                        .filter(s -> isCompilerThread(s.comm()))
                        .ifPresent(s -> ticks.put(s.pid(), s.cpuTicks()));
            }
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + tasks + ": " + e, e);
        }
        return ticks;
    }

    static boolean isCompilerThread(String comm) {
        for (String prefix : COMPILER_THREAD_PREFIXES) {
            if (comm.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code getconf CLK_TCK}: the unit of the tick counts in stat lines (100 on every common
     * Linux build); {@link #DEFAULT_CLOCK_TICKS_PER_SECOND} if it cannot be run.
     */
    public static long clockTicksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true)
                    .start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
            }
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                long ticks = Long.parseLong(out);
                if (ticks > 0) {
                    return ticks;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // No getconf here: fall back to the usual value.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return DEFAULT_CLOCK_TICKS_PER_SECOND;
    }

    /** The file's text, or empty if it (or its process) does not exist. */
    private static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.ISO_8859_1));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            // A process that exits while its file is read fails with ESRCH rather than ENOENT.
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            throw new IllegalStateException("cannot read " + file + ": " + e, e);
        }
    }
}
