package org.gtstore.gtctl.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.gtstore.gtctl.GtctlRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** mget and mput: one line per key in the order given, each key's own outcome. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BatchCommandsTest {
    private static final String META = "--meta=127.0.0.1:1";

    private final FakeStore store = new FakeStore(false);
    private final GtctlRunner gtctl = new GtctlRunner(store, null);

    @Test
    void mputWritesEveryPairAndPrintsOneLinePerKeyInOrder() {
        GtctlRunner.Result r = gtctl.run("mput", META, "b", "2", "a", "1", "c", "3 3");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("OK, " + FakeStore.headOf("b") + "\nOK, " + FakeStore.headOf("a")
                + "\nOK, " + FakeStore.headOf("c") + "\n", r.out());
        GtctlRunner.Result g = gtctl.run("mget", META, "c", "missing", "a", "b");
        assertEquals(1, g.exitCode(), "a key is missing");
        assertEquals("c, 3 3, server9\nmissing, NOT_FOUND\na, 1, server9\nb, 2, server9\n",
                g.out());
        assertEquals("", g.err());
    }

    @Test
    void aFailedKeyPrintsItsErrorInItsPlaceAndTheOthersStillSucceed() {
        GtctlRunner.Result r = gtctl.run("mput", META, "x", "1", "fail-y", "2", "z", "3");
        assertEquals(1, r.exitCode());
        String[] lines = r.out().split("\n");
        assertEquals(3, lines.length, r.out());
        assertEquals("OK, " + FakeStore.headOf("x"), lines[0]);
        assertTrue(lines[1].startsWith("ERROR: ") && lines[1].contains("fail-y"), lines[1]);
        assertEquals("OK, " + FakeStore.headOf("z"), lines[2]);
        assertEquals("z, 3, server9\n", gtctl.run("mget", META, "z").out());
    }

    @Test
    void badPairsAreAUsageErrorInOneLine() {
        GtctlRunner.Result odd = gtctl.run("mput", META, "a", "1", "b");
        assertEquals(2, odd.exitCode());
        assertEquals("error: mput takes KEY VALUE pairs: 'b' has no value\n", odd.err());
        GtctlRunner.Result twice = gtctl.run("mput", META, "a", "1", "a", "2");
        assertEquals(2, twice.exitCode());
        assertTrue(twice.err().contains("names key 'a' twice"), twice.err());
        assertEquals(0, store.opsByKey.size(), "nothing was sent");
        GtctlRunner.Result none = gtctl.run("mget", META);
        assertEquals(2, none.exitCode());
    }
}
