package org.gtstore.gtctl.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.gtstore.gtctl.cluster.ClusterFile.MetadataMember;
import org.gtstore.gtctl.cluster.ClusterFile.ServerMember;

/**
 * The command lines of the cluster's processes, exactly as docs/contracts.md fixes them: the JVM
 * flags sized for ten JVMs on two cores, the runnable jars under the repository root, and each
 * member's flags. Pure: it builds lists of strings and touches nothing.
 */
final class MemberCommands {
    static final List<String> METADATA_JVM_FLAGS =
            List.of("-Xms256m", "-Xmx256m", "-XX:+UseSerialGC", "-Xss512k");
    static final List<String> SERVER_JVM_FLAGS =
            List.of("-Xms512m", "-Xmx512m", "-XX:+UseSerialGC", "-Xss512k");
    static final String METADATA_JAR = "metadata-raft/target/gtstore-metadata-raft.jar";
    static final String SERVER_JAR = "dataserver/target/gtstore-dataserver.jar";

    private final Path java;
    private final Path dir;
    private Path home;

    /** {@code home} null means "find it when a jar is needed" ({@link GtstoreHome}). */
    MemberCommands(Path java, Path home, Path dir) {
        this.java = java;
        this.home = home;
        this.dir = dir.toAbsolutePath().normalize();
    }

    private synchronized Path home() {
        if (home == null) {
            home = GtstoreHome.resolve();
        }
        return home;
    }

    static Path currentJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    Path metadataJar() {
        return home().resolve(METADATA_JAR);
    }

    Path serverJar() {
        return home().resolve(SERVER_JAR);
    }

    /** Fails with a clear message when a jar is missing, before anything is started. */
    void requireJars() {
        for (Path jar : List.of(metadataJar(), serverJar())) {
            if (!Files.isRegularFile(jar)) {
                throw new ClusterException(jar + " does not exist: build first (scripts/gtctl"
                        + " builds on first use) or set -Dgtstore.home to the repository root");
            }
        }
    }

    Path memberDir(String id) {
        return dir.resolve(id);
    }

    Path logFile(String id) {
        return memberDir(id).resolve(id + ".log");
    }

    List<String> metadata(ClusterFile cluster, MetadataMember member, List<String> extraArgs) {
        String peers = cluster.metadata().stream()
                .map(m -> m.id() + "=" + m.host() + ":" + m.raftPort() + ":" + m.rpcPort())
                .collect(Collectors.joining(","));
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(METADATA_JVM_FLAGS);
        cmd.addAll(List.of("-jar", metadataJar().toString(),
                "--id", member.id(),
                "--peers", peers,
                "--storage-dir", memberDir(member.id()).resolve("raft").toString(),
                "--replication", Integer.toString(cluster.replication()),
                "--partitions", Integer.toString(cluster.partitions()),
                "--initial-servers", Integer.toString(cluster.servers().size())));
        cmd.addAll(extraArgs);
        return cmd;
    }

    List<String> server(ClusterFile cluster, ServerMember member, List<String> extraArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(SERVER_JVM_FLAGS);
        cmd.addAll(List.of("-jar", serverJar().toString(),
                "--id", member.id(),
                "--listen", member.address(),
                "--data-dir", memberDir(member.id()).resolve("data").toString(),
                "--meta", String.join(",", cluster.metadataAddresses())));
        cmd.addAll(extraArgs);
        return cmd;
    }
}
