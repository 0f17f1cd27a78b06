package org.gtstore.bench.cost;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A proc directory of sample files for the readers' tests. */
final class FakeProc {
    final Path root;

    FakeProc(Path root) {
        this.root = root;
    }

    ProcFs fs() {
        return new ProcFs(root);
    }

    /** Writes the stat line of {@code pid} (and its main thread) with these ticks. */
    FakeProc process(long pid, long userTicks, long systemTicks, long rssKiB, long peakKiB) {
        write(root.resolve(pid + "/stat"), stat(pid, "java", userTicks, systemTicks));
        write(root.resolve(pid + "/task/" + pid + "/stat"),
                stat(pid, "java", userTicks, systemTicks));
        write(root.resolve(pid + "/status"), "Name:\tjava\nVmHWM:\t" + peakKiB + " kB\nVmRSS:\t"
                + rssKiB + " kB\n");
        return this;
    }

    /** Writes one thread of {@code pid} named {@code comm}. */
    FakeProc thread(long pid, long tid, String comm, long ticks) {
        write(root.resolve(pid + "/task/" + tid + "/stat"), stat(tid, comm, ticks, 0));
        return this;
    }

    static String stat(long pid, String comm, long userTicks, long systemTicks) {
        return pid + " (" + comm + ") S 1 1 1 0 -1 4194304 10 0 0 0 " + userTicks + " "
                + systemTicks + " 0 0 20 0 41 0 52229 3133440 358 18446744073709551615\n";
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
