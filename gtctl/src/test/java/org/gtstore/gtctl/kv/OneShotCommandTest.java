package org.gtstore.gtctl.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.gtctl.GtctlRunner;
import org.gtstore.gtctl.cluster.ClusterFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-shot reader takes only plain put/get/delete lines, and what it runs prints, exits and
 * contacts exactly what the same line run through picocli does.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OneShotCommandTest {
    private static final String META = "--meta=127.0.0.1:1";

    @Test
    void readsThePlainFormsOfPutGetAndDelete() {
        for (String[] line : List.of(
                new String[] {"put", "k", "v"},
                new String[] {"put", "--meta", "h:1,h:2", "k", "v", "--json"},
                new String[] {"get", "--dir=x", "--verbose", "--debug", "k"},
                new String[] {"get", "--timeout-ms", "500", "--", "-k"},
                new String[] {"delete", "--", "--dir"})) {
            assertTrue(OneShotCommand.parse(line).isPresent(), String.join(" ", line));
        }
    }

    @Test
    void leavesEveryOtherLineToPicocli() {
        for (String[] line : List.of(
                new String[] {},
                new String[] {"shell"},
                new String[] {"cluster", "status"},
                new String[] {"put", "--help"},
                new String[] {"get", "-h", "k"},
                new String[] {"get", "--version"},
                new String[] {"put", "--bogus", "k", "v"},
                new String[] {"put", "k"},
                new String[] {"get", "k", "extra"},
                new String[] {"get", "--dir", "a", "--dir", "b", "k"},
                new String[] {"get", "--json", "--json", "k"},
                new String[] {"get", "--json=true", "k"},
                new String[] {"get", "k", "--dir"},
                new String[] {"get", "--dir", "--json", "k"},
                new String[] {"get", "--dir=", "k"},
                new String[] {"get", "--meta", "localhost", "k"},
                new String[] {"get", "--timeout-ms", "0", "k"},
                new String[] {"get", "--timeout-ms", "010", "k"},
                new String[] {"get", "--timeout-ms=abc", "k"},
                new String[] {"get", "-", "k"})) {
            assertFalse(OneShotCommand.parse(line).isPresent(), String.join(" ", line));
        }
    }

    @Test
    void answersExactlyAsPicocliDoes(@TempDir Path dir) {
        new ClusterFile(1, 8, List.of(
                new ClusterFile.MetadataMember("meta1", "127.0.0.1", 5001, 5002, 0)),
                List.of()).write(dir);
        String d = "--dir=" + dir;
        List<String[]> lines = List.of(
                new String[] {"put", META, "k", "v"},
                new String[] {"get", META, "k"},
                new String[] {"get", META, "--verbose", "k"},
                new String[] {"get", "--json", META, "k"},
                new String[] {"get", META, "missing"},
                new String[] {"get", META, "--json", "missing"},
                new String[] {"put", d, "--", "-k é", "v w"},
                new String[] {"get", d, "--timeout-ms", "2000", "--", "-k é"},
                new String[] {"delete", META, "--json", "k"},
                new String[] {"put", META, "failkey", "v"},
                new String[] {"put", META, "", "v"},
                new String[] {"get", "--dir", dir.resolve("nothing").toString(), "k"});
        for (String[] line : lines) {
            GtctlRunner oneShot = new GtctlRunner(new FakeStore(false), null);
            GtctlRunner picocli = new GtctlRunner(new FakeStore(false), null);
            oneShot.store.preload("k", "v");
            picocli.store.preload("k", "v");
            assertTrue(OneShotCommand.parse(line).isPresent(), String.join(" ", line));
            assertEquals(picocli.runWithPicocli(line), oneShot.run(line), String.join(" ", line));
            assertEquals(picocli.storeAddresses, oneShot.storeAddresses, String.join(" ", line));
        }
    }
}
