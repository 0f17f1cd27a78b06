package org.gtstore.gtctl.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.gtstore.gtctl.cluster.ClusterFile.MetadataMember;
import org.gtstore.gtctl.cluster.ClusterFile.ServerMember;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ClusterFileTest {
    static ClusterFile sample() {
        return new ClusterFile(2, 1024,
                List.of(new MetadataMember("meta1", "127.0.0.1", 40001, 40002, 1234),
                        new MetadataMember("meta2", "127.0.0.1", 40003, 40004, 1235),
                        new MetadataMember("meta3", "127.0.0.1", 40005, 40006, 1236)),
                List.of(new ServerMember("server1", "127.0.0.1", 40011, 1240),
                        new ServerMember("server2", "127.0.0.1", 40012, 0)));
    }

    @Test
    void writeThenReadGivesTheSameCluster(@TempDir Path dir) {
        sample().write(dir);
        assertEquals(Optional.of(sample()), ClusterFile.read(dir));
        assertTrue(Files.exists(dir.resolve("cluster.json")));
        assertTrue(!Files.exists(dir.resolve("cluster.json.tmp")));
    }

    @Test
    void readsTheFormatOfTheContract() {
        ClusterFile c = ClusterFile.fromJson("""
                {"replication":2,"partitions":1024,
                 "metadata":[{"id":"meta1","host":"127.0.0.1","raftPort":40001,"rpcPort":40002,
                              "pid":1234}],
                 "servers":[{"id":"server1","host":"127.0.0.1","port":40011,"pid":1240}],
                 "someFutureField":true}""");
        assertEquals(List.of("127.0.0.1:40002"), c.metadataAddresses());
        assertEquals("127.0.0.1:40011", c.servers().get(0).address());
        assertEquals(1240, c.pidOf("server1"));
        assertEquals(List.of("meta1", "server1"), c.memberIds());
    }

    @Test
    void networkNamespacesAreRecordedAndKeptByCopies(@TempDir Path dir) {
        ClusterFile c = sample().withNetns(java.util.Map.of("server1", "gt-ns-server1"));
        c.write(dir);
        ClusterFile back = ClusterFile.read(dir).orElseThrow();
        assertEquals(Optional.of("gt-ns-server1"), back.netnsOf("server1"));
        assertEquals(Optional.empty(), back.netnsOf("server2"));
        assertEquals(Optional.of("gt-ns-server1"),
                back.withPid("server1", 7).withoutPids().withArgs(List.of(), List.of())
                        .netnsOf("server1"));
        assertTrue(!sample().toJson().contains("netns"), "absent when none: " + sample());
    }

    @Test
    void memberFlagsAreRecordedAndAFileWithoutThemReadsAsNone(@TempDir Path dir) {
        ClusterFile c = sample().withArgs(List.of("--restart-grace-ms", "5000"), List.of());
        c.write(dir);
        ClusterFile back = ClusterFile.read(dir).orElseThrow();
        assertEquals(List.of("--restart-grace-ms", "5000"), back.metadataArgs());
        assertEquals(List.of("--restart-grace-ms", "5000"),
                back.withPid("server1", 99).withoutPids().metadataArgs(), "kept by copies");
        assertEquals(List.of(), ClusterFile.fromJson("""
                {"replication":2,"partitions":8,"metadata":[],"servers":[]}""").metadataArgs());
    }

    @Test
    void writesTheFieldNamesOfTheContract() {
        String json = sample().toJson().replaceAll("\\s", "");
        assertTrue(json.startsWith("{\"replication\":2,\"partitions\":1024,\"metadata\":[{\"id\":"
                + "\"meta1\",\"host\":\"127.0.0.1\",\"raftPort\":40001,\"rpcPort\":40002,"
                + "\"pid\":1234}"), json);
        assertTrue(json.contains("\"servers\":[{\"id\":\"server1\",\"host\":\"127.0.0.1\","
                + "\"port\":40011,\"pid\":1240}"), json);
    }

    @Test
    void absentFileMeansNoCluster(@TempDir Path dir) {
        assertEquals(Optional.empty(), ClusterFile.read(dir));
    }

    @Test
    void corruptFileIsAClearError(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("cluster.json"), "{not json");
        ClusterException e = assertThrows(ClusterException.class, () -> ClusterFile.read(dir));
        assertTrue(e.getMessage().startsWith("cluster.json is not valid"), e.getMessage());
    }

    @Test
    void pidsAreReplacedOneByOneOrAllCleared() {
        ClusterFile c = sample().withPid("server2", 99);
        assertEquals(99, c.pidOf("server2"));
        assertEquals(1240, c.pidOf("server1"));
        ClusterFile stopped = c.withoutPids();
        assertTrue(stopped.memberIds().stream().allMatch(id -> stopped.pidOf(id) == 0));
    }
}
