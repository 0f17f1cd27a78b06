package org.gtstore.metadata.server;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import org.gtstore.proto.ClusterConfigFile;
import org.gtstore.proto.MetricsEndpoint;
import org.gtstore.proto.Durability;
import org.gtstore.proto.ProcessDefaults;
import org.gtstore.proto.SecurityFlags;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The metadata member process (command line in docs/contracts.md). Bad flags print one line
 * on stderr and exit 2; a failed start exits 1, because Ratis leaves non-daemon threads behind
 * and a JVM whose main merely threw would hang (RATIS.md pitfall 6).
 */
@Command(name = "gtstore-metadata", mixinStandardHelpOptions = false,
        description = "One member of the GTStore metadata Raft group.")
public final class MetadataServerMain {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataServerMain.class);

    @Option(names = "--id", required = true, description = "This member's id, e.g. meta1.")
    String id;

    @Option(names = "--cluster-file", paramLabel = "F", description = "The cluster file: the"
            + " members (peers) and settings, for every flag this command line does not give.")
    Path clusterFile;

    @Option(names = "--listen", paramLabel = "HOST", description = "The address the raft and"
            + " rpc ports bind to, e.g. 0.0.0.0 (default: this member's host in --peers).")
    String listen;

    @Option(names = "--peers", split = ",",
            description = "All members: id=host:raftPort:rpcPort,... With --join, this"
                    + " member's own entry is the one that counts.")
    List<String> peers = new ArrayList<>();

    @Option(names = "--join", description = "Start as a new member of a running group, with"
            + " empty storage: the leader adds it ('gtctl cluster meta add'). Ignored once the"
            + " storage holds the group's configuration.")
    boolean join;

    @Option(names = "--storage-dir", required = true, description = "Ratis storage directory.")
    Path storageDir;

    @Option(names = "--replication", description = "K, replicas per chain.")
    Integer replication;

    @Option(names = "--partitions", defaultValue = "1024", description = "Partition count.")
    int partitions;

    @Option(names = "--initial-servers", description = "Servers the first assignment waits "
            + "for (default: --replication).")
    Integer initialServers;

    @Option(names = "--durability", defaultValue = "replicated",
            converter = DurabilityConverter.class,
            description = "When a write is acknowledged: replicated (every replica has it in its"
                    + " log) or fsync (every replica synced it to disk).")
    Durability durability;

    @Option(names = "--failure-timeout-ms", defaultValue = "2000",
            description = "A data server silent this long is declared dead"
                    + " (at least --lease-ms / 0.9).")
    long failureTimeoutMs;

    @Option(names = "--lease-ms", defaultValue = "1500",
            description = "A data server whose last answered heartbeat was sent this long ago"
                    + " stops serving.")
    long leaseMs;

    @Option(names = "--heartbeat-interval-ms", defaultValue = "250")
    long heartbeatIntervalMs;

    @Option(names = "--election-timeout-min-ms", defaultValue = "300")
    long electionTimeoutMinMs;

    @Option(names = "--election-timeout-max-ms", defaultValue = "600")
    long electionTimeoutMaxMs;

    @Option(names = "--restart-grace-ms", defaultValue = "0",
            description = "How long a data server whose connection is refused (its process is"
                    + " gone) may take to restart with its data dir and keep its chain positions"
                    + " before it is declared dead; meanwhile its partitions wait for it."
                    + " 0 (default): dead at the first refused probe. Must be below"
                    + " --failure-timeout-ms.")
    long restartGraceMs;

    @Option(names = "--revive-wait-ms", defaultValue = "10000",
            description = "How long a partition whose every replica was declared dead waits,"
                    + " once one of them is back and reported what it holds, for the others"
                    + " (which may hold more) before the best of those back serves it again.")
    long reviveWaitMs;

    @Option(names = "--rebalance-moves", defaultValue = "16",
            description = "Partitions moving between data servers at once, to balance load"
                    + " onto servers that joined or came back and off draining ones;"
                    + " 0 turns moving off (drains then wait).")
    int rebalanceMoves;

    @Option(names = "--bootstrap-wait-ms", defaultValue = "30000",
            description = "After this long, assign with at least K servers.")
    long bootstrapWaitMs;

    @Mixin
    SecurityFlags security = new SecurityFlags();

    @Option(names = "--metrics", paramLabel = "[HOST:]PORT", description = "Serve Prometheus"
            + " metrics at http://HOST:PORT/metrics (a bare port binds 127.0.0.1; 0 picks a"
            + " free one). Off by default.")
    String metrics = "";

    @Option(names = "--help", usageHelp = true, description = "Print this help and exit.")
    boolean help;

    private MetadataServerMain() {
    }

    public static void main(String[] args) {
        ProcessDefaults.apply();
        int code;
        try {
            code = run(args, System.err);
        } catch (Throwable t) {
            LOG.error("metadata server failed", t);
            code = 1;
        }
        System.exit(code);
    }

    /** Parses, validates, starts and blocks until shutdown; returns the exit code. */
    static int run(String[] args, PrintStream err) throws InterruptedException {
        if (List.of(args).contains("--help")) {
            new CommandLine(new MetadataServerMain()).usage(err);
            return 0;
        }
        MetadataServerConfig config;
        try {
            config = parse(args);
        } catch (CommandLine.ParameterException | IllegalArgumentException
                 | NullPointerException e) {
            err.println("gtstore-metadata: " + e.getMessage());
            return 2;
        }
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        LOG.info("[{}] effective config: {}", config.id(), config);
        MetadataServer server;
        try {
            server = MetadataServer.start(config);
        } catch (Exception e) {
            LOG.error("[{}] failed to start", config.id(), e);
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, config.id() + "-stop"));
        server.awaitClosed();
        return 0;
    }

    /** Turns the command line into a validated config; throws with a one-line message. */
    static MetadataServerConfig parse(String[] args) {
        MetadataServerMain m = new MetadataServerMain();
        new CommandLine(m).parseArgs(ClusterConfigFile.withDefaults(args,
                ClusterConfigFile::asFlags));
        if (m.peers.isEmpty()) {
            throw new IllegalArgumentException("--peers is required (or a --cluster-file that"
                    + " names the peers)");
        }
        if (m.replication == null) {
            throw new IllegalArgumentException("--replication is required (or a --cluster-file"
                    + " that sets replication)");
        }
        List<PeerAddress> parsed = new ArrayList<>();
        for (String p : m.peers) {
            parsed.add(PeerAddress.parse(p));
        }
        return MetadataServerConfig.builder().id(m.id).peers(parsed).storageDir(m.storageDir)
                .replication(m.replication).partitions(m.partitions)
                .initialServers(m.initialServers == null ? m.replication : m.initialServers)
                .durability(m.durability)
                .failureTimeoutMs(m.failureTimeoutMs).leaseMs(m.leaseMs)
                .restartGraceMs(m.restartGraceMs).reviveWaitMs(m.reviveWaitMs)
                .rebalanceMoves(m.rebalanceMoves)
                .heartbeatIntervalMs(m.heartbeatIntervalMs)
                .electionTimeoutMinMs(m.electionTimeoutMinMs)
                .electionTimeoutMaxMs(m.electionTimeoutMaxMs)
                .bootstrapWaitMs(m.bootstrapWaitMs).join(m.join).listenHost(m.listen)
                .security(m.security.security())
                .metrics(MetricsEndpoint.address(m.metrics)).build()
                .validate();
    }

    /** {@code replicated} or {@code fsync}, as {@code gtctl cluster start --durability} takes. */
    static final class DurabilityConverter implements CommandLine.ITypeConverter<Durability> {
        @Override
        public Durability convert(String value) {
            return switch (value) {
                case "replicated" -> Durability.REPLICATED;
                case "fsync" -> Durability.FSYNC;
                default -> throw new CommandLine.TypeConversionException(
                        "--durability must be replicated or fsync, got '" + value + "'");
            };
        }
    }
}
