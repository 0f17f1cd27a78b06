package org.gtstore.dataserver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.Update;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a SIGKILL of the process leaves of a RocksDB store, in a child JVM that applies batches
 * and is then killed: with the log written at every apply (the replicated mode) every applied
 * batch is there; with the log written only at a sync (the fsync mode) exactly the batches
 * applied before the last sync are, as after a power cut.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RocksDbStoreKillTest {
    private static final int BATCHES = 20;
    private static final int SYNCED = 12;

    @TempDir
    Path dir;

    /**
     * The child: applies the batches, syncs after {@code SYNCED} if asked, says so, then blocks
     * reading its standard input until the parent kills it.
     */
    public static void main(String[] args) throws Exception {
        RocksDbStore s = RocksDbStore.open(Path.of(args[0]));
        boolean atSyncOnly = args[1].equals("sync-only");
        s.logAtSyncOnly(atSyncOnly);
        for (int j = 1; j <= BATCHES; j++) {
            s.apply(StoreBatch.of(j, List.of(put(j)), Map.of(1, (long) j)));
            if (atSyncOnly && j == SYNCED) {
                s.sync();
            }
        }
        System.out.println("applied");
        System.out.flush();
        System.in.read();
    }

    private static Update put(long seq) {
        return Update.newBuilder().setPartition(1).setSeq(seq).setKey(key(seq))
                .setValue(ByteString.copyFromUtf8("v" + seq)).build();
    }

    private static ByteString key(long seq) {
        return ByteString.copyFromUtf8("k" + seq);
    }

    private void runAndKill(String mode) throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin",
                "java").toString(), "-cp", System.getProperty("java.class.path"),
                RocksDbStoreKillTest.class.getName(), dir.toString(), mode)
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(
                child.getInputStream(), StandardCharsets.UTF_8))) {
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = out.readLine()) != null && !line.equals("applied")) {
                seen.append(line).append('\n');
            }
            assertNotNull(line, "the child ended before applying its batches:\n" + seen);
        } finally {
            child.destroyForcibly(); // SIGKILL: no close, no flush
            child.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void aKillLosesNoBatchWhenTheLogIsWrittenAtEveryApply() throws Exception {
        runAndKill("every-apply");
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            assertEquals(BATCHES, s.lastJournal());
            assertEquals(Map.of(1, (long) BATCHES), s.appliedSeqs());
            assertNotNull(s.get(1, key(BATCHES)));
        }
    }

    @Test
    void aKillLosesWhatWasNotSyncedWhenTheLogIsWrittenAtSyncOnly() throws Exception {
        runAndKill("sync-only");
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            assertEquals(SYNCED, s.lastJournal());
            assertEquals(Map.of(1, (long) SYNCED), s.appliedSeqs());
            assertNotNull(s.get(1, key(SYNCED)));
            assertNull(s.get(1, key(SYNCED + 1)));
        }
    }
}
