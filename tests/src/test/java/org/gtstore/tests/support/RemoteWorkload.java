package org.gtstore.tests.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.client.GtStoreClient;
import org.awaitility.core.ConditionTimeoutException;
import org.gtstore.tests.history.Op;

/**
 * A {@link RecordedWorkload} in a process of its own, so that a client can run on the far side
 * of a network partition (in a network namespace of its own): {@link #start} launches it,
 * {@link #stop} ends it and reads its history. The operation times come from
 * {@link System#nanoTime()}, which on Linux is one clock for every process of the machine, so the
 * histories of this process and of the test JVM merge into one.
 */
public final class RemoteWorkload implements AutoCloseable {
    private static final Duration STOP_WAIT = Duration.ofSeconds(90);
    /** A workload whose test died without stopping it ends on its own after this. */
    private static final Duration LIFETIME = Duration.ofMinutes(10);

    private final Process process;
    private final Path dir;

    private RemoteWorkload(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    /**
     * Starts the workload with {@code prefix} (the command that puts it where it runs, e.g.
     * {@code ip netns exec NS}); its log is {@code dir/workload.log}.
     */
    public static RemoteWorkload start(List<String> prefix, Path dir, List<String> metadata,
            List<String> keys, int threads, long seed, String valuePrefix, int readers) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx128m", "-XX:+UseSerialGC", "-cp", testClassPath(),
                RemoteWorkload.class.getName(), dir.toString(), String.join(",", metadata),
                String.join(",", keys), Integer.toString(threads), Long.toString(seed),
                valuePrefix, Integer.toString(readers)));
        try {
            Files.createDirectories(dir);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("workload.log").toFile()).start();
            return new RemoteWorkload(p, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Failsafe runs tests from a manifest-only jar; the real class path is in this property. */
    private static String testClassPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isEmpty() ? cp : System.getProperty("java.class.path");
    }

    /** Operations completed OK so far, as the process last reported (every 100 ms). */
    public long succeeded() {
        try {
            return Long.parseLong(Files.readString(dir.resolve("status")).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The process's output, for failure messages. */
    public String log() {
        try {
            return Files.readString(dir.resolve("workload.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Asks the process to stop, waits for it, and returns its history. */
    public List<Op> stop() {
        try {
            Files.writeString(dir.resolve("stop"), "stop");
            if (!process.waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("remote workload did not stop: " + log());
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("remote workload exited " + process.exitValue()
                        + ": " + log());
            }
            List<Op> ops = new ArrayList<>();
            for (String line : Files.readAllLines(dir.resolve("ops"))) {
                ops.add(parse(line));
            }
            return ops;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    static String format(Op op) {
        return op.kind() + "\t" + op.key() + "\t" + (op.value() == null ? "~" : op.value()) + "\t"
                + op.invokedNs() + "\t" + op.completedNs();
    }

    static Op parse(String line) {
        String[] f = line.split("\t");
        return new Op(0, f[1], Op.Kind.valueOf(f[0]), f[2].equals("~") ? null : f[2],
                Long.parseLong(f[3]), Long.parseLong(f[4]));
    }

    /** Ops of several histories as one, numbered afresh. */
    public static List<Op> merge(List<Op> a, List<Op> b) {
        List<Op> all = new ArrayList<>(a.size() + b.size());
        for (List<Op> ops : List.of(a, b)) {
            for (Op op : ops) {
                all.add(new Op(all.size(), op.key(), op.kind(), op.value(), op.invokedNs(),
                        op.completedNs()));
            }
        }
        return all;
    }

    /**
     * The process: {@code dir metadata keys threads seed valuePrefix readers}. Runs until
     * {@code dir/stop} exists, writing its success count to {@code dir/status} every 100 ms,
     * then writes its history to {@code dir/ops}.
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        List<String> metadata = Arrays.asList(args[1].split(","));
        List<String> keys = Arrays.asList(args[2].split(","));
        RecordedWorkload w = RecordedWorkload.start(() -> GtStoreClient.builder()
                        .metadataAddresses(metadata).deadline(Duration.ofSeconds(10)).build(),
                keys, Integer.parseInt(args[3]), Long.parseLong(args[4]), args[5],
                Integer.parseInt(args[6]));
        try {
            await("a stop file").atMost(LIFETIME).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        writeAtomically(dir, "status", Long.toString(w.succeeded()));
                        return Files.exists(dir.resolve("stop"));
                    });
        } catch (ConditionTimeoutException e) {
            System.out.println("no stop file within " + LIFETIME + ": stopping");
        }
        w.close();
        StringBuilder out = new StringBuilder();
        for (Op op : w.history().ops()) {
            out.append(format(op)).append('\n');
        }
        writeAtomically(dir, "ops", out.toString());
        System.out.printf("stopped: %d ok, %d failed %s%n", w.succeeded(), w.failed(),
                w.sampleFailures());
        System.exit(0);
    }

    private static void writeAtomically(Path dir, String name, String content)
            throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }
}
