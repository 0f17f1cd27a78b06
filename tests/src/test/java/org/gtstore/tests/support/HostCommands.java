package org.gtstore.tests.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Commands the fault tests run on this machine (ip, mount), and whether they may. */
public final class HostCommands {
    private HostCommands() {
    }

    /** True if this process runs as root (namespaces, mounts). */
    public static boolean isRoot() {
        try {
            Process p = new ProcessBuilder("id", "-u").start();
            return "0".equals(new String(p.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs a command; throws with what it printed unless it exits 0 within 30 s. */
    public static void must(String... command) {
        String error = run(List.of(command));
        if (!error.isEmpty()) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + error);
        }
    }

    /** Runs a command; empty if it exited 0, else its exit code and what it printed. */
    public static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out";
            }
            return p.exitValue() == 0 ? "" : "exit " + p.exitValue() + ": " + out.trim();
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
