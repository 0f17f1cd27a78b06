package org.gtstore.gtctl.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts member processes and signals them by pid. A pid read from cluster.json counts as a
 * member only if that process is alive and its command line names the member ({@code --id X}
 * and a GTStore jar), so a pid reused by an unrelated process is never signalled.
 */
final class ProcessControl {
    private ProcessControl() {
    }

    /** The live process of a member, if the recorded pid still belongs to it. */
    static Optional<ProcessHandle> memberProcess(long pid, String memberId) {
        if (pid <= 0) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(h -> h.info().commandLine()
                        .map(c -> isMemberCommandLine(c, memberId))
                        .orElse(true));
    }

    static boolean isMemberCommandLine(String commandLine, String memberId) {
        return commandLine.contains("gtstore-")
                && (commandLine.contains("--id " + memberId + " ")
                    || commandLine.endsWith("--id " + memberId));
    }

    /** setsid(1) where it exists (util-linux); null elsewhere. */
    private static final String SETSID = Files.isExecutable(Path.of("/usr/bin/setsid"))
            ? "/usr/bin/setsid" : null;

    /**
     * Starts a member in its own directory with stdout and stderr appended to its log file and
     * stdin from /dev/null, so it outlives the launching JVM. Where setsid(1) exists the member
     * runs in a session of its own: a Ctrl-C (or a hang-up) meant for the {@code gtctl} in the
     * terminal does not reach the cluster it started. A child of the JVM is not a process group
     * leader, so setsid execs the member in place and the pid stays the member's.
     */
    static Process launch(List<String> command, Path workDir, Path logFile) {
        return launch(command, workDir, logFile, SETSID);
    }

    static Process launch(List<String> command, Path workDir, Path logFile, String setsid) {
        try {
            Files.createDirectories(workDir);
            List<String> full = command;
            if (setsid != null) {
                full = new ArrayList<>(command.size() + 1);
                full.add(setsid);
                full.addAll(command);
            }
            ProcessBuilder builder = new ProcessBuilder(full)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            return builder.start();
        } catch (IOException e) {
            throw new ClusterException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    /** Sends SIGKILL and waits (bounded) until the process is gone. */
    static void killNow(ProcessHandle process, Duration wait) {
        process.destroyForcibly();
        awaitExit(List.of(process), wait);
    }

    /**
     * Sends SIGTERM to every process, waits up to {@code grace} for all of them, then sends
     * SIGKILL to the rest.
     *
     * @return the processes that needed SIGKILL
     */
    static List<ProcessHandle> terminate(List<ProcessHandle> processes, Duration grace) {
        processes.forEach(ProcessHandle::destroy);
        awaitExit(processes, grace);
        List<ProcessHandle> forced = new ArrayList<>();
        for (ProcessHandle p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
                forced.add(p);
            }
        }
        awaitExit(forced, Duration.ofSeconds(10));
        return forced;
    }

    /** Waits until every process has exited or the time is up; returns whether all exited. */
    static boolean awaitExit(List<ProcessHandle> processes, Duration wait) {
        CompletableFuture<?>[] exits = processes.stream()
                .map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(exits).get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for a process exit failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while waiting for processes to exit", e);
        }
    }
}
