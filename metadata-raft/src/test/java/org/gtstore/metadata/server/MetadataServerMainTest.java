package org.gtstore.metadata.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.ClusterConfigFile;
import org.gtstore.proto.Durability;
import org.gtstore.proto.TransportSecurity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The metadata member's command line: the restart grace flag, its default and its checks. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MetadataServerMainTest {

    private static String[] args(String... extra) {
        List<String> a = new ArrayList<>(List.of("--id", "meta1",
                "--peers", "meta1=127.0.0.1:1:2,meta2=127.0.0.1:3:4,meta3=127.0.0.1:5:6",
                "--storage-dir", "/tmp/unused", "--replication", "2"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void aLeaderThatSteppedDownMayCampaignAgainAfterOneElectionTimeout() {
        // Goal: not Ratis's 10 s; a transferee that stepped down holds the newest log, so
        // until it campaigns again no other member can win.
        MetadataServerConfig c = MetadataServerMain.parse(args());
        org.apache.ratis.conf.RaftProperties p = MetadataServer.raftProperties(c);
        assertEquals(c.electionTimeoutMaxMs(), org.apache.ratis.server.RaftServerConfigKeys
                .LeaderElection.leaderStepDownWaitTime(p).toLong(TimeUnit.MILLISECONDS));
    }

    @Test
    void aClusterFileGivesTheFlagsTheCommandLineDoesNot(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gtstore.conf");
        ClusterConfigFile.write(file, Map.of("peers",
                "meta1=10.0.0.1:7000:7001,meta2=10.0.0.2:7000:7001,meta3=10.0.0.3:7000:7001",
                "replication", "3", "partitions", "256", "lease-ms", "1200"));
        MetadataServerConfig c = MetadataServerMain.parse(new String[] {"--id", "meta2",
                "--cluster-file", file.toString(), "--storage-dir", "/tmp/unused",
                "--partitions", "512", "--listen", "0.0.0.0"});
        assertEquals(3, c.replication());
        assertEquals(512, c.partitions(), "the command line wins");
        assertEquals(1200, c.leaseMs());
        assertEquals("10.0.0.2:7001", c.self().rpcAddress());
        assertEquals("0.0.0.0", c.bindHost());
        assertEquals("10.0.0.2", MetadataServerMain.parse(args()).toBuilder().id("meta2")
                .peers(c.peers()).build().bindHost(), "without --listen: the member's host");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MetadataServerMain.parse(new String[] {"--id", "meta1",
                        "--storage-dir", "/tmp/unused"}));
        assertTrue(e.getMessage().contains("--peers is required"), e.getMessage());
    }

    @Test
    void theClusterFileSecuresTheMemberAndACommandLineTokenWins(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("gtstore.conf");
        Files.writeString(dir.resolve("token"), "file-token-0123456789\n");
        Path own = Files.writeString(dir.resolve("own-token"), "own-token-0123456789\n");
        ClusterConfigFile.write(file, Map.of("peers", "meta1=10.0.0.1:7000:7001",
                "replication", "1", "token-file", "token"));
        String[] base = {"--id", "meta1", "--cluster-file", file.toString(), "--storage-dir",
            "/tmp/unused"};
        TransportSecurity fromFile = MetadataServerMain.parse(base).security();
        assertTrue(fromFile.hasToken() && !fromFile.tls(), fromFile.toString());
        List<String> withOwn = new ArrayList<>(List.of(base));
        withOwn.addAll(List.of("--token-file", own.toString()));
        TransportSecurity fromFlag = MetadataServerMain.parse(withOwn.toArray(String[]::new))
                .security();
        assertTrue(fromFlag.hasToken());
        assertNotEquals(fromFile, fromFlag, "the command line's token file wins");
        withOwn.addAll(List.of("--tls-ca", own.toString()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MetadataServerMain.parse(withOwn.toArray(String[]::new)));
        assertTrue(e.getMessage().startsWith("TLS needs all three"), e.getMessage());
    }

    @Test
    void restartGraceDefaultsToNoneSoARefusedProbeStillMeansDeadAtOnce() {
        assertEquals(0, MetadataServerMain.parse(args()).restartGraceMs());
    }

    @Test
    void durabilityIsReplicatedUnlessTheFlagSaysFsync() {
        assertEquals(Durability.REPLICATED, MetadataServerMain.parse(args()).durability());
        assertEquals(Durability.FSYNC,
                MetadataServerMain.parse(args("--durability", "fsync")).durability());
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                () -> MetadataServerMain.parse(args("--durability", "sometimes")));
        assertTrue(e.getMessage().contains("--durability must be replicated or fsync"),
                e.getMessage());
    }

    @Test
    void restartGraceIsTakenFromItsFlag() {
        MetadataServerConfig c = MetadataServerMain.parse(args("--failure-timeout-ms", "10000",
                "--lease-ms", "8000", "--restart-grace-ms", "6000"));
        assertEquals(6000, c.restartGraceMs());
    }

    @Test
    void restartGraceMustBeShorterThanTheFailureTimeout() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MetadataServerMain.parse(args("--restart-grace-ms", "2000")));
        assertTrue(e.getMessage().contains("--restart-grace-ms must be < --failure-timeout-ms"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> MetadataServerMain.parse(args("--restart-grace-ms", "-1")));
    }

    @Test
    void aLeaseThatCouldOutliveTheFailureTimeoutIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MetadataServerMain.parse(args("--failure-timeout-ms", "2000",
                        "--lease-ms", "1900")));
        assertTrue(e.getMessage().contains("--lease-ms must be at most 90% of"
                + " --failure-timeout-ms"), e.getMessage());
        assertEquals(1800, MetadataServerMain.parse(args("--failure-timeout-ms", "2000",
                "--lease-ms", "1800")).leaseMs());
    }

    @Test
    void leadershipConfirmationsComeOftenEnoughForTheLease() {
        assertEquals(500, MetadataServer.confirmGapMs(1500, 250), "the defaults: the cap");
        assertEquals(275, MetadataServer.confirmGapMs(800, 250));
        assertEquals(500, MetadataServer.confirmGapMs(8000, 250));
    }

    @Test
    void helpDescribesTheRestartGrace() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = MetadataServerMain.run(new String[] {"--help"},
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(0, code);
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("--restart-grace-ms"), help);
    }
}
