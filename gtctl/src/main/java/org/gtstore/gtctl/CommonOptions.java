package org.gtstore.gtctl;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.gtstore.gtctl.cluster.ClusterFile;
import org.gtstore.gtctl.kv.ResultFormatter;
import org.gtstore.proto.ClusterConfigFile;
import org.gtstore.proto.HostPorts;
import org.gtstore.proto.SecurityFlags;
import org.gtstore.proto.TransportSecurity;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options every gtctl command takes: which cluster ({@code --dir} or {@code --meta}), the
 * output style ({@code --json}, {@code --verbose}) and {@code --debug}.
 */
public final class CommonOptions {
    public static final String DEFAULT_DIR = "gtstore-cluster";

    @Spec(Spec.Target.MIXEE)
    private CommandSpec mixee;

    @Option(names = "--dir", paramLabel = "D", defaultValue = DEFAULT_DIR,
            description = "The cluster directory (default: ./${DEFAULT-VALUE}).")
    private Path dir;

    private List<String> meta = List.of();
    /** The cluster file of {@code --cluster-file}, or null. */
    private ClusterConfigFile clusterConfig;

    @Mixin
    private SecurityFlags securityFlags = new SecurityFlags();

    @Option(names = "--json", description = "Print one JSON object per result.")
    boolean json;

    @Option(names = "--verbose", description = "Also show the chain and the map epoch.")
    boolean verbose;

    @Option(names = "--debug", description = "Show debug logs and stack traces.")
    boolean debug;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "10000",
            description = "Give up on an operation after this long, retries included"
                    + " (default: ${DEFAULT-VALUE}).")
    private long timeoutMs;

    @Option(names = "--meta", paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Metadata members to contact; overrides --dir.")
    void meta(String value) {
        List<String> addresses = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String address = part.strip();
            if (!HostPorts.isHostPort(address)) {
                throw new ParameterException(mixee.commandLine(),
                        "--meta expects host:port[,host:port...], got '" + value + "'");
            }
            addresses.add(address);
        }
        this.meta = List.copyOf(addresses);
    }

    @Option(names = "--cluster-file", paramLabel = "F",
            description = "The cluster file: contact the metadata members it names; overrides"
                    + " --dir.")
    void clusterFile(Path file) {
        try {
            this.clusterConfig = ClusterConfigFile.read(file);
            this.meta = clusterConfig.metadataAddresses();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(mixee.commandLine(), e.getMessage());
        }
    }

    public Path dir() {
        return dir;
    }

    public boolean json() {
        return json;
    }

    public boolean verbose() {
        return verbose;
    }

    public boolean debug() {
        return debug;
    }

    /** The formatter of the output style these options ask for. */
    public ResultFormatter formatter() {
        return new ResultFormatter(json, verbose);
    }

    public Duration timeout() {
        if (timeoutMs <= 0) {
            throw new ParameterException(mixee.commandLine(),
                    "--timeout-ms must be positive, got " + timeoutMs);
        }
        return Duration.ofMillis(timeoutMs);
    }

    /** Whether {@code --meta} (or {@code --cluster-file}) was given. */
    public boolean hasMeta() {
        return !meta.isEmpty();
    }

    /** The cluster file of {@code --cluster-file}, if one was given. */
    public Optional<ClusterConfigFile> clusterConfig() {
        return Optional.ofNullable(clusterConfig);
    }

    /** The cluster.json of {@code --dir}, if there is one. */
    public Optional<ClusterFile> clusterFile() {
        return ClusterFile.read(dir);
    }

    /**
     * How this command secures its connections: the {@code --tls-*} and {@code --token-file}
     * flags if given, else those of {@code --cluster-file}, else those of the cluster of
     * {@code --dir} (plaintext with {@code --meta}).
     */
    public TransportSecurity security() {
        try {
            if (securityFlags.given()) {
                return securityFlags.security();
            }
            if (clusterConfig != null) {
                return clusterConfig.security();
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(mixee.commandLine(), e.getMessage());
        }
        return MetadataAddresses.security(dir, meta);
    }

    /** {@code connector} with this command's {@link #security}. */
    public Connector secured(Connector connector) {
        return connector.secured(security());
    }

    /**
     * True if data server {@code id} belongs to the cluster of {@code --dir} (and neither
     * {@code --meta} nor {@code --cluster-file} was given): gtctl started it and can stop it.
     */
    public boolean startedServer(String id) {
        return !hasMeta() && clusterFile().map(f -> f.server(id).isPresent()).orElse(false);
    }

    /**
     * The metadata addresses to contact: {@code --meta} if given, else those recorded in
     * {@code <dir>/cluster.json}.
     */
    public List<String> metadataAddresses() {
        return MetadataAddresses.resolve(dir, meta);
    }
}
