package org.gtstore.dataserver.server;

import java.nio.file.Path;
import java.util.List;
import org.gtstore.dataserver.chain.ChainReplicaConfig;
import org.gtstore.proto.MetricsEndpoint;
import org.gtstore.proto.TransportSecurity;

/**
 * Everything a data server is configured with, parsed once (from the command line, see
 * docs/contracts.md) and validated at startup. Timing that must agree across the cluster
 * (heartbeat interval, lease) is not here: it comes from the metadata's RegisterResponse.
 *
 * @param serverId this server's id, e.g. {@code server3}
 * @param listenHost the address the DataService binds to
 * @param listenPort its port; 0 picks a free one (tests)
 * @param advertise {@code host:port} that other servers and clients connect to, registered
 *     with the metadata; empty: the listen host and the port bound (a wildcard listen host
 *     needs one)
 * @param dataDir holds {@code storage.id} and the RocksDB directory
 * @param metadataAddresses {@code host:port} of every metadata member's MetadataService
 * @param tickIntervalMs how often the replica's logical clock ticks
 * @param driverBatchMax the most queued inputs the driver steps before persisting and sending
 * @param chainReconnectBackoffMinMs first delay before re-opening a broken chain stream
 * @param chainReconnectBackoffMaxMs the back-off's cap
 * @param metadataRpcTimeoutMs deadline of a metadata call
 * @param metadataCommandTimeoutMs deadline of a metadata call answered only once a Raft command
 *     applied (Register, ReportCaughtUp): longer than the leader's own command timeout
 *     (5-6 s), so that a busy leader's answer, not the deadline, ends the call
 * @param metadataRetryBackoffMs delay before retrying a failed register, watch or map fetch
 * @param chain the pure protocol's knobs (ticks, buffers)
 * @param security TLS and token for every connection: served, chain and metadata
 * @param metrics {@code host:port} of the Prometheus endpoint (port 0: any free one); empty:
 *     none
 */
public record DataServerConfig(
        String serverId,
        String listenHost,
        int listenPort,
        String advertise,
        Path dataDir,
        List<String> metadataAddresses,
        long tickIntervalMs,
        int driverBatchMax,
        long chainReconnectBackoffMinMs,
        long chainReconnectBackoffMaxMs,
        long metadataRpcTimeoutMs,
        long metadataCommandTimeoutMs,
        long metadataRetryBackoffMs,
        ChainReplicaConfig chain,
        TransportSecurity security,
        String metrics) {

    public static final long DEFAULT_TICK_INTERVAL_MS = 100;
    public static final int DEFAULT_DRIVER_BATCH_MAX = 4096;
    public static final long DEFAULT_CHAIN_RECONNECT_BACKOFF_MIN_MS = 50;
    public static final long DEFAULT_CHAIN_RECONNECT_BACKOFF_MAX_MS = 1000;
    public static final long DEFAULT_METADATA_RPC_TIMEOUT_MS = 1000;
    public static final long DEFAULT_METADATA_COMMAND_TIMEOUT_MS = 10_000;
    public static final long DEFAULT_METADATA_RETRY_BACKOFF_MS = 100;

    public DataServerConfig {
        metadataAddresses = List.copyOf(metadataAddresses);
    }

    /** The configuration with every tuning knob at its default. */
    public static DataServerConfig of(String serverId, String listenHost, int listenPort,
            Path dataDir, List<String> metadataAddresses) {
        return new DataServerConfig(serverId, listenHost, listenPort, "", dataDir,
                metadataAddresses,
                DEFAULT_TICK_INTERVAL_MS, DEFAULT_DRIVER_BATCH_MAX,
                DEFAULT_CHAIN_RECONNECT_BACKOFF_MIN_MS, DEFAULT_CHAIN_RECONNECT_BACKOFF_MAX_MS,
                DEFAULT_METADATA_RPC_TIMEOUT_MS, DEFAULT_METADATA_COMMAND_TIMEOUT_MS,
                DEFAULT_METADATA_RETRY_BACKOFF_MS,
                ChainReplicaConfig.defaults(), TransportSecurity.plaintext(), "");
    }

    /** This configuration, advertising {@code hostPort} (empty: the listen address). */
    public DataServerConfig withAdvertise(String hostPort) {
        return new DataServerConfig(serverId, listenHost, listenPort, hostPort, dataDir,
                metadataAddresses, tickIntervalMs, driverBatchMax, chainReconnectBackoffMinMs,
                chainReconnectBackoffMaxMs, metadataRpcTimeoutMs, metadataCommandTimeoutMs,
                metadataRetryBackoffMs, chain, security, metrics);
    }

    /** This configuration, with {@code s} for every connection. */
    public DataServerConfig withSecurity(TransportSecurity s) {
        return new DataServerConfig(serverId, listenHost, listenPort, advertise, dataDir,
                metadataAddresses, tickIntervalMs, driverBatchMax, chainReconnectBackoffMinMs,
                chainReconnectBackoffMaxMs, metadataRpcTimeoutMs, metadataCommandTimeoutMs,
                metadataRetryBackoffMs, chain, s, metrics);
    }

    /** This configuration, serving metrics on {@code hostPort} (empty: none). */
    public DataServerConfig withMetrics(String hostPort) {
        return new DataServerConfig(serverId, listenHost, listenPort, advertise, dataDir,
                metadataAddresses, tickIntervalMs, driverBatchMax, chainReconnectBackoffMinMs,
                chainReconnectBackoffMaxMs, metadataRpcTimeoutMs, metadataCommandTimeoutMs,
                metadataRetryBackoffMs, chain, security, hostPort);
    }

    /** The address registered with the metadata, given the port the DataService bound. */
    public String advertisedAddress(int boundPort) {
        return advertise.isEmpty() ? listenHost + ":" + boundPort : advertise;
    }

    /** Checks every field; throws IllegalArgumentException with a plain message. */
    public DataServerConfig validate() {
        if (serverId == null || !serverId.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("--id must be 1-64 letters, digits, '.', '_' or"
                    + " '-': " + serverId);
        }
        if (listenHost == null || listenHost.isEmpty()) {
            throw new IllegalArgumentException("--listen has no host");
        }
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException("--listen port out of range: " + listenPort);
        }
        if (advertise == null) {
            throw new IllegalArgumentException("--advertise is missing");
        }
        if (!advertise.isEmpty() && HostPort.parse(advertise, "--advertise").port() == 0) {
            throw new IllegalArgumentException("--advertise port must not be 0: " + advertise);
        }
        if (advertise.isEmpty() && isWildcard(listenHost)) {
            throw new IllegalArgumentException("--listen " + listenHost + " binds every"
                    + " interface: give --advertise host:port, the address other servers and"
                    + " clients connect to");
        }
        if (metrics == null) {
            throw new IllegalArgumentException("--metrics is missing");
        }
        if (!metrics.isEmpty()) {
            MetricsEndpoint.address(metrics);
        }
        if (dataDir == null) {
            throw new IllegalArgumentException("--data-dir is missing");
        }
        if (metadataAddresses.isEmpty()) {
            throw new IllegalArgumentException("--meta lists no metadata address");
        }
        for (String a : metadataAddresses) {
            HostPort hp = HostPort.parse(a, "--meta");
            if (hp.port() == 0) {
                throw new IllegalArgumentException("--meta port must not be 0: " + a);
            }
        }
        positive(tickIntervalMs, "tickIntervalMs");
        positive(driverBatchMax, "driverBatchMax");
        positive(chainReconnectBackoffMinMs, "chainReconnectBackoffMinMs");
        if (chainReconnectBackoffMaxMs < chainReconnectBackoffMinMs) {
            throw new IllegalArgumentException("chainReconnectBackoffMaxMs < min: "
                    + chainReconnectBackoffMaxMs);
        }
        positive(metadataRpcTimeoutMs, "metadataRpcTimeoutMs");
        positive(metadataCommandTimeoutMs, "metadataCommandTimeoutMs");
        positive(metadataRetryBackoffMs, "metadataRetryBackoffMs");
        return this;
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    private static void positive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    /** A {@code host:port} pair. */
    public record HostPort(String host, int port) {
        /** Parses {@code host:port}; the message names the flag. */
        public static HostPort parse(String s, String flag) {
            int i = s == null ? -1 : s.lastIndexOf(':');
            if (i <= 0 || i == s.length() - 1) {
                throw new IllegalArgumentException(flag + " expects host:port, got '" + s + "'");
            }
            int port;
            try {
                port = Integer.parseInt(s.substring(i + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " has a bad port in '" + s + "'");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(flag + " port out of range in '" + s + "'");
            }
            return new HostPort(s.substring(0, i), port);
        }
    }
}
