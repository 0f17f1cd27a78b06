package org.gtstore.dataserver.server;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import org.gtstore.proto.ClusterConfigFile;
import org.gtstore.proto.MetricsEndpoint;
import org.gtstore.proto.ProcessDefaults;
import org.gtstore.proto.SecurityFlags;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The data server process (docs/contracts.md, "Data server command line"):
 * <pre>
 * java -jar gtstore-dataserver.jar --id server1 --listen 127.0.0.1:PORT \
 *   --data-dir DIR/server1/data --meta 127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3
 * </pre>
 * Bad flags print one line on stderr and exit 2. A failure of the replica driver stops the
 * process at once (exit 70): the metadata then takes the server out of its chains, and a restart
 * recovers from the write-ahead log. A full data directory is waited out instead: the server
 * closes and starts again in place once there is room ({@link ServerSupervisor}).
 */
@Command(name = "gtstore-dataserver", mixinStandardHelpOptions = true,
        description = "GTStore data server: stores partitions and replicates them along chains.")
public final class DataServerMain {
    private static final Logger LOG = LoggerFactory.getLogger(DataServerMain.class);
    private static final int EXIT_USAGE = 2;
    private static final int EXIT_SOFTWARE = 70;

    @Option(names = "--id", required = true, description = "server id, e.g. server1")
    String id;

    @Option(names = "--listen", required = true, description = "host:port of the DataService")
    String listen;

    @Option(names = "--advertise", description = "host:port other servers and clients connect"
            + " to, if not the --listen address (e.g. --listen 0.0.0.0:7001 --advertise"
            + " db3.example.net:7001)")
    String advertise = "";

    @Option(names = "--data-dir", required = true, description = "storage.id and RocksDB")
    Path dataDir;

    @Option(names = "--meta", split = ",",
            description = "host:port of the metadata members, comma-separated")
    List<String> meta;

    @Option(names = "--cluster-file", paramLabel = "F", description = "The cluster file: the"
            + " metadata members, if --meta is not given, and the TLS and token files.")
    Path clusterFile;

    @Option(names = "--metrics", paramLabel = "[HOST:]PORT", description = "Serve Prometheus"
            + " metrics at http://HOST:PORT/metrics (a bare port binds 127.0.0.1; 0 picks a"
            + " free one). Off by default.")
    String metrics = "";

    @Mixin
    SecurityFlags security = new SecurityFlags();

    /** The validated configuration these flags describe. */
    DataServerConfig toConfig() {
        if (meta == null || meta.isEmpty()) {
            throw new IllegalArgumentException("--meta is required (or a --cluster-file that"
                    + " names the metadata members)");
        }
        DataServerConfig.HostPort hp = DataServerConfig.HostPort.parse(listen, "--listen");
        return DataServerConfig.of(id, hp.host(), hp.port(), dataDir, meta)
                .withAdvertise(advertise).withSecurity(security.security())
                .withMetrics(MetricsEndpoint.address(metrics)).validate();
    }

    /** The flags a cluster file supplies: the metadata members, the TLS and token files. */
    static Map<String, String> fromClusterFile(ClusterConfigFile file) {
        Map<String, String> flags = new TreeMap<>(file.securityFlags());
        flags.put("--meta", String.join(",", file.metadataAddresses()));
        return flags;
    }

    public static void main(String[] args) {
        ProcessDefaults.apply();
        DataServerMain flags = new DataServerMain();
        CommandLine cmd = new CommandLine(flags);
        DataServerConfig config;
        try {
            cmd.parseArgs(ClusterConfigFile.withDefaults(args, DataServerMain::fromClusterFile));
            if (cmd.isUsageHelpRequested() || cmd.isVersionHelpRequested()) {
                cmd.usage(cmd.getOut());
                return;
            }
            config = flags.toConfig();
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            cmd.getErr().println("gtstore-dataserver: " + e.getMessage().replace('\n', ' '));
            cmd.getErr().flush();
            System.exit(EXIT_USAGE);
            return;
        }
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        LOG.info("[{}] starting with {}", config.serverId(), config);
        ServerSupervisor supervisor = new ServerSupervisor(config.serverId(), config.dataDir(),
                fatal -> DataServer.start(config, fatal), code -> Runtime.getRuntime()
                        .halt(code));
        Runtime.getRuntime().addShutdownHook(new Thread(supervisor::stop, "shutdown"));
        try {
            supervisor.run(EXIT_SOFTWARE);
        } catch (Exception e) {
            LOG.error("[{}] cannot start: {}", config.serverId(), e.getMessage(), e);
            System.exit(1);
        }
    }
}
