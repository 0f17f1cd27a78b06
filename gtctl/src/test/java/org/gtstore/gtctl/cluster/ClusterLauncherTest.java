package org.gtstore.gtctl.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.gtstore.gtctl.cluster.ClusterFile.MetadataMember;
import org.gtstore.gtctl.cluster.ClusterFile.ServerMember;
import org.gtstore.proto.MemberStatus;
import org.gtstore.proto.PartitionMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's process handling and operator-mistake errors, with stand-in processes (a shell
 * whose command line looks like a member's) instead of real servers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterLauncherTest {
    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killStandIns() {
        started.forEach(Process::destroyForcibly);
    }

    /** A process whose command line names the member, as the real ones do. */
    private long standIn(String id) throws IOException {
        Process p = new ProcessBuilder("bash", "-c", "sleep 60; true", "gtstore-standin.jar",
                "--id", id, "--x").start();
        started.add(p);
        return p.pid();
    }

    private ClusterFile clusterWith(long meta1Pid, long server1Pid) {
        return new ClusterFile(1, 8,
                List.of(new MetadataMember("meta1", "127.0.0.1", 1, 2, meta1Pid),
                        new MetadataMember("meta2", "127.0.0.1", 3, 4, 0),
                        new MetadataMember("meta3", "127.0.0.1", 5, 6, 0)),
                List.of(new ServerMember("server1", "127.0.0.1", 7, server1Pid)));
    }

    private ClusterLauncher.Builder builder() {
        return ClusterLauncher.builder(dir).home(dir).metadataView(a -> new NoMetadata());
    }

    @Test
    void killSendsSigkillToTheRecordedProcess() throws Exception {
        long pid = standIn("server1");
        clusterWith(0, pid).write(dir);
        ClusterLauncher launcher = builder().open();
        assertTrue(launcher.isRunning("server1"));
        launcher.kill("server1");
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(launcher.isRunning("server1"));
    }

    @Test
    void unknownIdIsRejectedWithTheValidIds() throws Exception {
        clusterWith(0, 0).write(dir);
        ClusterLauncher launcher = builder().open();
        ClusterException e = assertThrows(ClusterException.class, () -> launcher.kill("server2"));
        assertEquals("unknown member 'server2'; valid ids: meta1, meta2, meta3, server1",
                e.getMessage());
        assertThrows(ClusterException.class, () -> launcher.restart("meta9"));
    }

    @Test
    void restartOfALiveMemberIsRefusedAndChangesNothing() throws Exception {
        long pid = standIn("meta1");
        clusterWith(pid, 0).write(dir);
        String before = Files.readString(dir.resolve("cluster.json"));
        ClusterLauncher launcher = builder().open();
        ClusterException e = assertThrows(ClusterException.class,
                () -> launcher.restart("meta1"));
        assertEquals("meta1 is running (pid " + pid + "); kill it first with 'gtctl cluster kill"
                + " meta1'", e.getMessage());
        assertEquals(before, Files.readString(dir.resolve("cluster.json")));
    }

    @Test
    void startOverARunningClusterIsRefusedAndChangesNothing() throws Exception {
        long pid = standIn("server1");
        clusterWith(0, pid).write(dir);
        String before = Files.readString(dir.resolve("cluster.json"));
        ClusterException e = assertThrows(ClusterException.class,
                () -> builder().nodes(1).replication(1).start());
        assertTrue(e.getMessage().startsWith("a cluster is already running in " + dir
                + ": server1 (pid " + pid + ")"), e.getMessage());
        assertEquals(before, Files.readString(dir.resolve("cluster.json")));
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void aReusedPidOfAnotherProgramIsNotTakenForAMember() throws Exception {
        Process other = new ProcessBuilder("sleep", "60").start();
        started.add(other);
        clusterWith(0, other.pid()).write(dir);
        ClusterLauncher launcher = builder().open();
        assertFalse(launcher.isRunning("server1"));
        assertEquals(List.of(), launcher.stop());
        assertTrue(other.isAlive(), "stop must not signal a process that is not a member");
    }

    @Test
    void stopTerminatesEveryMemberAndClearsThePids() throws Exception {
        long meta = standIn("meta1");
        long server = standIn("server1");
        clusterWith(meta, server).write(dir);
        ClusterLauncher launcher = builder().stopGrace(Duration.ofSeconds(5)).open();
        assertEquals(List.of("meta1", "server1"), launcher.stop());
        assertFalse(ProcessHandle.of(meta).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(ProcessHandle.of(server).map(ProcessHandle::isAlive).orElse(false));
        assertEquals(0, ClusterFile.read(dir).orElseThrow().pidOf("meta1"));
    }

    @Test
    void repLargerThanNodesIsRefusedBeforeAnythingIsWritten() {
        Path fresh = dir.resolve("new");
        ClusterException e = assertThrows(ClusterException.class,
                () -> ClusterLauncher.builder(fresh).home(dir).nodes(2).replication(3).start());
        assertTrue(e.getMessage().startsWith("--rep 3 is larger than --nodes 2"), e.getMessage());
        assertFalse(Files.exists(fresh.resolve("cluster.json")));
    }

    @Test
    void missingJarsAreReportedBeforeStarting() {
        ClusterException e = assertThrows(ClusterException.class,
                () -> builder().nodes(1).replication(1).start());
        assertTrue(e.getMessage().contains("gtstore-metadata-raft.jar does not exist"),
                e.getMessage());
    }

    /** A launch of jars that are not jars: every member JVM exits at once. */
    private ClusterLauncher.Builder failingStart(Path clusterDir) throws IOException {
        for (String jar : List.of(MemberCommands.METADATA_JAR, MemberCommands.SERVER_JAR)) {
            Files.createDirectories(dir.resolve(jar).getParent());
            Files.writeString(dir.resolve(jar), "not a jar");
        }
        return ClusterLauncher.builder(clusterDir).home(dir).metadataView(a -> new NoMetadata())
                .readyTimeout(Duration.ofSeconds(30));
    }

    @Test
    void aMemberThatExitsDuringStartFailsTheStartWithItsLastLogLine() throws Exception {
        // Jars that are not jars: every JVM exits at once with an error in its log.
        Path clusterDir = dir.resolve("cluster");
        ClusterLauncher.Builder b = failingStart(clusterDir).nodes(1).replication(1)
                .partitions(8);
        ClusterException e = assertThrows(ClusterException.class, b::start);
        assertTrue(e.getMessage().matches("meta\\d exited while waiting for a metadata leader;"
                + " last line of .*\\.log: .*jar.*"), e.getMessage());
        ClusterFile after = ClusterFile.read(clusterDir).orElseThrow();
        assertTrue(after.memberIds().stream().allMatch(id -> after.pidOf(id) == 0), after.toJson());
        assertEquals(3, after.metadata().size());
        assertTrue(after.metadata().get(0).rpcPort() > 0);
        String logs = ClusterLauncher.builder(clusterDir).home(dir).open().logs();
        assertTrue(logs.contains("==> " + clusterDir.resolve("server1/server1.log") + " <=="),
                logs);
    }

    @Test
    void memberFlagsAreRecordedAndKeptByTheNextStart() throws Exception {
        // Jars that are not jars: each start fails at once, after recording what it launched.
        Path clusterDir = dir.resolve("cluster");
        ClusterLauncher.Builder first = failingStart(clusterDir).nodes(1).replication(1)
                .partitions(8).metadataArgs(List.of("--failure-timeout-ms", "10000", "--restart-grace-ms", "5"));
        assertThrows(ClusterException.class, first::start);
        assertEquals(List.of("--failure-timeout-ms", "10000", "--restart-grace-ms", "5"),
                ClusterFile.read(clusterDir).orElseThrow().metadataArgs());
        ClusterLauncher.Builder again = failingStart(clusterDir).metadataArgs(List.of("--restart-grace-ms", "8000"));
        assertThrows(ClusterException.class, again::start);
        assertEquals(List.of("--failure-timeout-ms", "10000", "--restart-grace-ms", "8000"),
                ClusterFile.read(clusterDir).orElseThrow().metadataArgs());
        assertEquals(List.of("--failure-timeout-ms", "10000", "--restart-grace-ms", "8000"),
                ClusterLauncher.builder(clusterDir).home(dir).open().cluster().metadataArgs(),
                "what restart and kill use");
    }

    @Test
    void memberCommandLinesFollowTheContract() {
        ClusterFile c = new ClusterFile(2, 1024,
                List.of(new MetadataMember("meta1", "127.0.0.1", 1, 2, 0),
                        new MetadataMember("meta2", "127.0.0.1", 3, 4, 0),
                        new MetadataMember("meta3", "127.0.0.1", 5, 6, 0)),
                List.of(new ServerMember("server1", "127.0.0.1", 7, 0),
                        new ServerMember("server2", "127.0.0.1", 8, 0)));
        MemberCommands m = new MemberCommands(Path.of("/jdk/bin/java"), Path.of("/repo"),
                Path.of("/c"));
        assertEquals(List.of("/jdk/bin/java", "-Xms160m", "-Xmx160m", "-Xmn16m",
                "-XX:+UseSerialGC", "-Xss512k",
                "-Dio.grpc.netty.shaded.io.netty.allocator.numDirectArenas=1",
                "-Dorg.apache.ratis.thirdparty.io.netty.allocator.numDirectArenas=1", "-jar", "/repo/metadata-raft/target/gtstore-metadata-raft.jar",
                "--id", "meta2", "--cluster-file", "/c/cluster.conf",
                "--storage-dir", "/c/meta2/raft", "--lease-ms", "900"),
                m.metadata(c, c.metadata().get(1), List.of("--lease-ms", "900")));
        assertEquals(List.of("/jdk/bin/java", "-Xms256m", "-Xmx256m", "-Xmn24m",
                "-XX:+UseSerialGC", "-Xss512k",
                "-Dio.grpc.netty.shaded.io.netty.allocator.numDirectArenas=1", "-jar", "/repo/dataserver/target/gtstore-dataserver.jar",
                "--id", "server2", "--listen", "127.0.0.1:8", "--data-dir", "/c/server2/data",
                "--cluster-file", "/c/cluster.conf"),
                m.server(c, c.servers().get(1), List.of()));
        assertEquals(Map.of("peers", "meta1=127.0.0.1:1:2,meta2=127.0.0.1:3:4,meta3=127.0.0.1:5:6",
                "replication", "2", "partitions", "1024", "initial-servers", "2"),
                c.clusterConf(), "what the cluster file holds");
    }

    @Test
    void aMemberInANetworkNamespaceIsLaunchedThere() {
        ClusterFile c = new ClusterFile(1, 8,
                List.of(new MetadataMember("meta1", "10.9.0.2", 1, 2, 0)),
                List.of(new ServerMember("server1", "10.9.0.3", 7, 0)))
                .withNetns(java.util.Map.of("server1", "gt-x-server1"));
        MemberCommands m = new MemberCommands(Path.of("/jdk/bin/java"), Path.of("/repo"),
                Path.of("/c"));
        assertEquals(List.of("ip", "netns", "exec", "gt-x-server1", "/jdk/bin/java"),
                m.server(c, c.servers().get(0), List.of()).subList(0, 5));
        assertTrue(m.server(c, c.servers().get(0), List.of()).contains("10.9.0.3:7"));
        assertEquals("/jdk/bin/java", m.metadata(c, c.metadata().get(0), List.of()).get(0));
    }

    @Test
    void membersWithAMetricsPortServeThere(@TempDir Path dir) {
        // Goal: a cluster started with --metrics gives every member a port of its own, kept in
        // cluster.json and passed as --metrics host:port on every launch; a removed member's
        // port is forgotten.
        ClusterFile c = ClusterPlan.withMetricsPorts(new ClusterFile(1, 8,
                List.of(new MetadataMember("meta1", "127.0.0.1", 1, 2, 0)),
                List.of(new ServerMember("server1", "127.0.0.1", 7, 0),
                        new ServerMember("server2", "127.0.0.1", 8, 0))),
                List.of("meta1", "server1", "server2"));
        assertEquals(3, new java.util.HashSet<>(c.metrics().values()).size(), c.metrics()
                .toString());
        c.write(dir);
        ClusterFile back = ClusterFile.read(dir).orElseThrow();
        assertEquals(c.metrics(), back.metrics());
        MemberCommands m = new MemberCommands(Path.of("/jdk/bin/java"), Path.of("/repo"),
                Path.of("/c"));
        List<String> server = m.server(back, back.servers().get(0), List.of());
        assertEquals("127.0.0.1:" + c.metrics().get("server1"),
                server.get(server.indexOf("--metrics") + 1));
        List<String> meta = m.metadata(back, back.metadata().get(0), List.of());
        assertEquals("127.0.0.1:" + c.metrics().get("meta1"),
                meta.get(meta.indexOf("--metrics") + 1));
        assertFalse(back.withoutServer("server2").metrics().containsKey("server2"));
        ClusterFile plain = new ClusterFile(1, 8, back.metadata(), back.servers());
        assertFalse(m.server(plain, plain.servers().get(0), List.of()).contains("--metrics"));
    }

    @Test
    void extraJvmFlagsFollowTheDefaults() {
        ClusterFile c = new ClusterFile(1, 8,
                List.of(new MetadataMember("meta1", "127.0.0.1", 1, 2, 0)),
                List.of(new ServerMember("server1", "127.0.0.1", 7, 0)));
        MemberCommands m = new MemberCommands(Path.of("/jdk/bin/java"), Path.of("/repo"),
                Path.of("/c"), " -XX:+UseParallelGC ", "-Xmx1g\t-XX:TieredStopAtLevel=1");
        assertEquals(List.of("/jdk/bin/java", "-Xms160m", "-Xmx160m", "-Xmn16m",
                "-XX:+UseSerialGC", "-Xss512k",
                "-Dio.grpc.netty.shaded.io.netty.allocator.numDirectArenas=1",
                "-Dorg.apache.ratis.thirdparty.io.netty.allocator.numDirectArenas=1",
                "-XX:+UseParallelGC", "-jar"),
                m.metadata(c, c.metadata().get(0), List.of()).subList(0, 10));
        assertEquals(List.of("/jdk/bin/java", "-Xms256m", "-Xmx256m", "-Xmn24m",
                "-XX:+UseSerialGC", "-Xss512k",
                "-Dio.grpc.netty.shaded.io.netty.allocator.numDirectArenas=1", "-Xmx1g",
                "-XX:TieredStopAtLevel=1", "-jar"),
                m.server(c, c.servers().get(0), List.of()).subList(0, 10));
    }

    @Test
    void idsAreDescribedCompactly() {
        assertEquals("meta1, meta2, meta3, server1..server7", ClusterLauncher.describeIds(
                List.of("meta1", "meta2", "meta3", "server1", "server2", "server3", "server4",
                        "server5", "server6", "server7")));
    }

    @Test
    void freePortsAreDistinct() {
        List<Integer> ports = PortAllocator.freePorts("127.0.0.1", 20);
        assertEquals(20, ports.stream().distinct().count());
    }

    /** A metadata group that never answers. */
    private static final class NoMetadata implements MetadataView {
        @Override
        public PartitionMap map() {
            throw new IllegalStateException("no metadata in this test");
        }

        @Override
        public PartitionMap map(long knownEpoch) {
            return map();
        }

        @Override
        public Optional<MemberStatus> memberStatus(String rpcAddress) {
            return Optional.empty();
        }

        @Override
        public Watch watch(long fromEpoch, Consumer<PartitionMap> onMap,
                Consumer<String> onConnectionLost) {
            return () -> { };
        }

        @Override
        public void close() {
        }
    }
}
