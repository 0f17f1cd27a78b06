package org.gtstore.metadata.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The leader-path warm-up: finishes with the member's settings and leaves nothing running. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeaderPathWarmupTest {

    @Test
    void twoThrowAwayServersLeadCommitAndAreGone(@TempDir Path dir) throws Exception {
        MetadataServerConfig config = MetadataServerMain.parse(new String[] {"--id", "meta7",
            "--peers", "meta7=127.0.0.1:1:2", "--storage-dir", dir.resolve("own").toString(),
            "--replication", "1"});
        for (int round = 1; round <= 2; round++) {
            long start = System.nanoTime();
            var closed = LeaderPathWarmup.run(config,
                    Files.createDirectory(dir.resolve("w" + round)));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            closed.get(20, TimeUnit.SECONDS);
            System.out.printf("warm-up %d: %d ms, closed after %d ms%n", round, ms,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
        await("threads of the throw-away servers gone").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50)).until(() -> warmupThreads().isEmpty());
        assertEquals(List.of(), warmupThreads(), "threads of the throw-away servers still running");
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().equals("own")),
                    "the member's own storage is not touched");
        }
    }

    private static List<String> warmupThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(Thread::getName).filter(n -> n.contains("-warmup-")).sorted().toList();
    }
}
