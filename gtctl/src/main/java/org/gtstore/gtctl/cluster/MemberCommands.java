package org.gtstore.gtctl.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gtstore.gtctl.cluster.ClusterFile.MetadataMember;
import org.gtstore.gtctl.cluster.ClusterFile.ServerMember;

/**
 * The command lines of the cluster's processes, exactly as docs/contracts.md fixes them: the JVM
 * flags sized for ten JVMs on two cores, the runnable jars under the repository root, and each
 * member's flags. Pure: it builds lists of strings and touches nothing. The JVM flags and jar
 * paths are public for tests that start members by hand, as an operator of several hosts does.
 */
public final class MemberCommands {
    /** gRPC's Netty: one pool of direct buffers instead of one per two cores' worth of loops. */
    private static final String GRPC_DIRECT_ARENAS =
            "-Dio.grpc.netty.shaded.io.netty.allocator.numDirectArenas=1";
    /** Ratis's own shaded Netty, the same. */
    private static final String RATIS_DIRECT_ARENAS =
            "-Dorg.apache.ratis.thirdparty.io.netty.allocator.numDirectArenas=1";
    /**
     * Small young generations: nearly everything a member allocates dies young, so the resident
     * heap is about the young generation; 16 MB and 24 MB keep ten JVMs near 1.5 GiB in all.
     */
    public static final List<String> METADATA_JVM_FLAGS = List.of("-Xms160m", "-Xmx160m",
            "-Xmn16m", "-XX:+UseSerialGC", "-Xss512k", GRPC_DIRECT_ARENAS, RATIS_DIRECT_ARENAS);
    public static final List<String> SERVER_JVM_FLAGS = List.of("-Xms256m", "-Xmx256m",
            "-Xmn24m", "-XX:+UseSerialGC", "-Xss512k", GRPC_DIRECT_ARENAS);
    /** Extra JVM flags for every metadata member, appended after the defaults (later wins). */
    static final String METADATA_FLAGS_ENV = "GTSTORE_METADATA_JVM_FLAGS";
    /** Extra JVM flags for every data server, appended after the defaults (later wins). */
    static final String SERVER_FLAGS_ENV = "GTSTORE_SERVER_JVM_FLAGS";
    public static final String METADATA_JAR = "metadata-raft/target/gtstore-metadata-raft.jar";
    public static final String SERVER_JAR = "dataserver/target/gtstore-dataserver.jar";
    /** The cluster file's name inside a cluster directory. */
    static final String CLUSTER_CONF = "cluster.conf";

    private final Path java;
    private final Path dir;
    private final List<String> metadataFlags;
    private final List<String> serverFlags;
    private Path home;

    /** {@code home} null means "find it when a jar is needed" ({@link GtstoreHome}). */
    MemberCommands(Path java, Path home, Path dir) {
        this(java, home, dir, "", "");
    }

    /**
     * @param extraMetadataFlags JVM flags appended to {@link #METADATA_JVM_FLAGS}, separated by
     *     white space (normally {@code $GTSTORE_METADATA_JVM_FLAGS})
     * @param extraServerFlags the same for the data servers ({@code $GTSTORE_SERVER_JVM_FLAGS})
     */
    MemberCommands(Path java, Path home, Path dir, String extraMetadataFlags,
            String extraServerFlags) {
        this.java = java;
        this.home = home;
        this.dir = dir.toAbsolutePath().normalize();
        this.metadataFlags = withExtra(METADATA_JVM_FLAGS, extraMetadataFlags);
        this.serverFlags = withExtra(SERVER_JVM_FLAGS, extraServerFlags);
    }

    /** The launcher's commands, with the extra JVM flags of the environment. */
    static MemberCommands fromEnvironment(Path home, Path dir) {
        return new MemberCommands(currentJava(), home, dir, envOrEmpty(METADATA_FLAGS_ENV),
                envOrEmpty(SERVER_FLAGS_ENV));
    }

    private static String envOrEmpty(String name) {
        String v = System.getenv(name);
        return v == null ? "" : v;
    }

    private static List<String> withExtra(List<String> defaults, String extra) {
        List<String> out = new ArrayList<>(defaults);
        for (String flag : extra.trim().split("\\s+")) {
            if (!flag.isEmpty()) {
                out.add(flag);
            }
        }
        return List.copyOf(out);
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

    /**
     * The start of a member's command: {@code ip netns exec NS} if the cluster puts it in a
     * network namespace (ip execs the JVM in place, so the pid stays the member's), else empty.
     */
    private static List<String> inNetns(ClusterFile cluster, String id) {
        List<String> cmd = new ArrayList<>();
        cluster.netnsOf(id).ifPresent(ns -> cmd.addAll(List.of("ip", "netns", "exec", ns)));
        return cmd;
    }

    List<String> metadata(ClusterFile cluster, MetadataMember member, List<String> extraArgs) {
        return metadata(cluster, member, extraArgs, false);
    }

    /**
     * A metadata member's command; {@code join} adds {@code --join}, for a new member of a
     * running group that the leader is to add.
     */
    List<String> metadata(ClusterFile cluster, MetadataMember member, List<String> extraArgs,
            boolean join) {
        List<String> cmd = inNetns(cluster, member.id());
        cmd.add(java.toString());
        cmd.addAll(metadataFlags);
        cmd.addAll(List.of("-jar", metadataJar().toString(),
                "--id", member.id(),
                "--cluster-file", clusterConf().toString(),
                "--storage-dir", memberDir(member.id()).resolve("raft").toString()));
        if (join) {
            cmd.add("--join");
        }
        metrics(cluster, member.id(), cmd);
        cmd.addAll(extraArgs);
        return cmd;
    }

    /**
     * The cluster file every member is launched with ({@code --cluster-file}): the metadata
     * members and the settings of {@code cluster.json}, written by the launcher.
     */
    Path clusterConf() {
        return dir.resolve(CLUSTER_CONF);
    }

    List<String> server(ClusterFile cluster, ServerMember member, List<String> extraArgs) {
        List<String> cmd = inNetns(cluster, member.id());
        cmd.add(java.toString());
        cmd.addAll(serverFlags);
        cmd.addAll(List.of("-jar", serverJar().toString(),
                "--id", member.id(),
                "--listen", member.address(),
                "--data-dir", memberDir(member.id()).resolve("data").toString(),
                "--cluster-file", clusterConf().toString()));
        metrics(cluster, member.id(), cmd);
        cmd.addAll(extraArgs);
        return cmd;
    }

    /** {@code --metrics host:port} for a member the cluster file gives a metrics port. */
    private static void metrics(ClusterFile cluster, String id, List<String> cmd) {
        cluster.metricsAddress(id).ifPresent(a -> cmd.addAll(List.of("--metrics", a)));
    }
}
