package org.gtstore.dataserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** The command line of docs/contracts.md becomes a validated config, or a plain error. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DataServerConfigTest {

    private static DataServerConfig parse(String... args) {
        DataServerMain flags = new DataServerMain();
        new CommandLine(flags).parseArgs(args);
        return flags.toConfig();
    }

    @Test
    void contractCommandLineParses() {
        DataServerConfig c = parse("--id", "server1", "--listen", "127.0.0.1:4001",
                "--data-dir", "/tmp/d/server1/data",
                "--meta", "127.0.0.1:5001,127.0.0.1:5002,127.0.0.1:5003");
        assertEquals("server1", c.serverId());
        assertEquals("127.0.0.1", c.listenHost());
        assertEquals(4001, c.listenPort());
        assertEquals(Path.of("/tmp/d/server1/data"), c.dataDir());
        assertEquals(List.of("127.0.0.1:5001", "127.0.0.1:5002", "127.0.0.1:5003"),
                c.metadataAddresses());
        assertEquals(DataServerConfig.DEFAULT_TICK_INTERVAL_MS, c.tickIntervalMs());
    }

    @Test
    void badFlagsGivePlainMessagesNamingTheFlag() {
        IllegalArgumentException listen = assertThrows(IllegalArgumentException.class,
                () -> parse("--id", "s1", "--listen", "nohost", "--data-dir", "d",
                        "--meta", "h:1"));
        assertTrue(listen.getMessage().contains("--listen"), listen.getMessage());
        IllegalArgumentException meta = assertThrows(IllegalArgumentException.class,
                () -> parse("--id", "s1", "--listen", "h:1", "--data-dir", "d",
                        "--meta", "h:99999"));
        assertTrue(meta.getMessage().contains("--meta"), meta.getMessage());
        IllegalArgumentException id = assertThrows(IllegalArgumentException.class,
                () -> parse("--id", "a b", "--listen", "h:1", "--data-dir", "d",
                        "--meta", "h:1"));
        assertTrue(id.getMessage().contains("--id"), id.getMessage());
        assertThrows(CommandLine.MissingParameterException.class, () -> parse("--id", "s1"));
    }

    @Test
    void theAdvertisedAddressIsTheListenAddressUnlessGiven() {
        DataServerConfig plain = parse("--id", "s1", "--listen", "127.0.0.1:0", "--data-dir", "d",
                "--meta", "h:1");
        assertEquals("127.0.0.1:4123", plain.advertisedAddress(4123));
        DataServerConfig given = parse("--id", "s1", "--listen", "0.0.0.0:7001",
                "--advertise", "db3.example.net:7001", "--data-dir", "d", "--meta", "h:1");
        assertEquals("0.0.0.0", given.listenHost());
        assertEquals("db3.example.net:7001", given.advertisedAddress(7001));
    }

    @Test
    void aWildcardListenNeedsAnAdvertisedAddressAndABadOneIsNamed() {
        IllegalArgumentException wildcard = assertThrows(IllegalArgumentException.class,
                () -> parse("--id", "s1", "--listen", "0.0.0.0:7001", "--data-dir", "d",
                        "--meta", "h:1"));
        assertTrue(wildcard.getMessage().contains("--advertise"), wildcard.getMessage());
        for (String bad : List.of("db3", "db3:0", "db3:70000", ":7001")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> parse("--id", "s1", "--listen", "0.0.0.0:7001", "--advertise", bad,
                            "--data-dir", "d", "--meta", "h:1"), bad);
            assertTrue(e.getMessage().contains("--advertise"), e.getMessage());
        }
    }

    @Test
    void tuningKnobsAreValidated() {
        DataServerConfig ok = DataServerConfig.of("s1", "h", 0, Path.of("d"), List.of("h:1"));
        DataServerConfig bad = new DataServerConfig("s1", "h", 0, "", Path.of("d"),
                List.of("h:1"), 0, ok.driverBatchMax(), ok.chainReconnectBackoffMinMs(),
                ok.chainReconnectBackoffMaxMs(), ok.metadataRpcTimeoutMs(),
                ok.metadataCommandTimeoutMs(), ok.metadataRetryBackoffMs(), ok.chain(),
                ok.security(), "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::validate);
        assertEquals("tickIntervalMs must be positive: 0", e.getMessage());
    }
}
