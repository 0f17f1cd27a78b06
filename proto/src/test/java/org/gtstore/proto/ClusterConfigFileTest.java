package org.gtstore.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster file: what it names, the flags it fills in, and the mistakes it refuses. */
class ClusterConfigFileTest {
    @TempDir
    Path dir;

    @Test
    void namesTheMetadataAddressesAndFillsInOnlyTheFlagsNotGiven() throws Exception {
        Path f = dir.resolve("gtstore.conf");
        ClusterConfigFile.write(f, Map.of("peers",
                "meta1=10.0.0.1:7000:7001, meta2=10.0.0.2:7000:7001,meta3=10.0.0.3:7000:7001",
                "replication", "3", "lease-ms", "1200"));
        ClusterConfigFile file = ClusterConfigFile.read(f);
        assertEquals(List.of("10.0.0.1:7001", "10.0.0.2:7001", "10.0.0.3:7001"),
                file.metadataAddresses());
        assertEquals("3", file.get("replication").orElseThrow());
        String[] args = {"--id", "meta2", "--cluster-file", f.toString(), "--lease-ms=900"};
        String[] merged = ClusterConfigFile.withDefaults(args, ClusterConfigFile::asFlags);
        List<String> added = List.of(merged).subList(args.length, merged.length);
        assertEquals(List.of("--peers", file.get("peers").orElseThrow(), "--replication", "3"),
                added, "the command line's --lease-ms wins");
        String[] plain = {"--id", "meta2"};
        assertArrayEquals(plain, ClusterConfigFile.withDefaults(plain, x -> Map.of("--a", "b")));
    }

    @Test
    void mistakesAreOneLineNamingTheFile() throws Exception {
        Path typo = dir.resolve("typo.conf");
        Files.writeString(typo, "peers = meta1=h:1:2\nreplicaton = 3\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterConfigFile.read(typo));
        assertTrue(e.getMessage().contains("unknown key 'replicaton'") && e.getMessage()
                .contains(typo.toString()), e.getMessage());
        Path empty = dir.resolve("empty.conf");
        Files.writeString(empty, "replication = 3\n");
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ClusterConfigFile.read(empty)).getMessage().contains("no metadata members"));
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "peers = meta1=h:1\n");
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ClusterConfigFile.read(bad)).getMessage().contains("id=host:raftPort"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ClusterConfigFile.read(dir.resolve("missing.conf"))).getMessage()
                .contains("cannot read"));
    }
}
