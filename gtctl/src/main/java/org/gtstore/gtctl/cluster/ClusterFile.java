package org.gtstore.gtctl.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.gtstore.proto.TransportSecurity;

/**
 * The contents of {@code <dir>/cluster.json}: what {@code gtctl cluster start} launched. Ports
 * are chosen once, at the first start, and kept here so that every restart keeps every address;
 * {@code pid} is that of the last launch (0 when stopped). See docs/contracts.md.
 *
 * <pre>
 * {"replication":2,"partitions":1024,
 *  "metadata":[{"id":"meta1","host":"127.0.0.1","raftPort":40001,"rpcPort":40002,"pid":1234}],
 *  "servers":[{"id":"server1","host":"127.0.0.1","port":40011,"pid":1240}]}
 * </pre>
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ClusterFile(
        int replication,
        int partitions,
        List<MetadataMember> metadata,
        List<ServerMember> servers,
        List<String> metadataArgs,
        List<String> serverArgs,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> netns,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> security,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Integer> metrics) {

    /** The file name inside a cluster directory. */
    public static final String FILE_NAME = "cluster.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public ClusterFile {
        if (replication <= 0) {
            throw new IllegalArgumentException("replication <= 0: " + replication);
        }
        if (partitions <= 0) {
            throw new IllegalArgumentException("partitions <= 0: " + partitions);
        }
        metadata = List.copyOf(metadata == null ? List.of() : metadata);
        servers = List.copyOf(servers == null ? List.of() : servers);
        metadataArgs = List.copyOf(metadataArgs == null ? List.of() : metadataArgs);
        serverArgs = List.copyOf(serverArgs == null ? List.of() : serverArgs);
        netns = Map.copyOf(netns == null ? Map.of() : netns);
        security = Map.copyOf(security == null ? Map.of() : security);
        metrics = Map.copyOf(metrics == null ? Map.of() : metrics);
    }

    /** A cluster whose members run with no extra flags, in the host's network namespace. */
    public ClusterFile(int replication, int partitions, List<MetadataMember> metadata,
            List<ServerMember> servers) {
        this(replication, partitions, metadata, servers, List.of(), List.of(), Map.of(),
                Map.of(), Map.of());
    }

    /**
     * A copy with the extra flags every metadata member and every data server is launched
     * with (e.g. {@code --restart-grace-ms 5000}); recorded so that every later start and
     * restart of a member keeps them.
     */
    public ClusterFile withArgs(List<String> metadataFlags, List<String> serverFlags) {
        return new ClusterFile(replication, partitions, metadata, servers, metadataFlags,
                serverFlags, netns, security, metrics);
    }

    /**
     * A copy whose members run in these network namespaces (member id to namespace name;
     * a member not listed runs in the launcher's): every launch of such a member goes through
     * {@code ip netns exec}. The fault tests give each member its own.
     */
    public ClusterFile withNetns(Map<String, String> namespaces) {
        return new ClusterFile(replication, partitions, metadata, servers, metadataArgs,
                serverArgs, namespaces, security, metrics);
    }

    /**
     * A copy whose members secure their connections with these cluster file keys
     * ({@code tls-ca}, {@code tls-cert}, {@code tls-key}, {@code token-file} to absolute
     * paths); written into the cluster file every member starts with.
     */
    public ClusterFile withSecurity(Map<String, String> keys) {
        return new ClusterFile(replication, partitions, metadata, servers, metadataArgs,
                serverArgs, netns, keys, metrics);
    }

    /**
     * A copy whose members serve Prometheus metrics on these ports of their host (member id
     * to port; a member not listed serves none): every launch passes {@code --metrics}.
     */
    public ClusterFile withMetrics(Map<String, Integer> ports) {
        return new ClusterFile(replication, partitions, metadata, servers, metadataArgs,
                serverArgs, netns, security, ports);
    }

    /** The metrics address of a member ({@code host:port}), or empty if it serves none. */
    public Optional<String> metricsAddress(String id) {
        Integer port = metrics.get(id);
        if (port == null) {
            return Optional.empty();
        }
        return Optional.of(hostOf(id) + ":" + port);
    }

    /** The host a member runs on (loopback for an id the file does not name). */
    public String hostOf(String id) {
        return metadataMember(id).map(MetadataMember::host)
                .or(() -> server(id).map(ServerMember::host)).orElse("127.0.0.1");
    }

    /** How this cluster's connections are secured (plaintext unless it was started so). */
    public TransportSecurity transportSecurity() {
        return TransportSecurity.fromFlags(security.get("tls-ca"), security.get("tls-cert"),
                security.get("tls-key"), security.get("token-file"));
    }

    /** The network namespace a member runs in, or empty for the launcher's own. */
    public Optional<String> netnsOf(String id) {
        return Optional.ofNullable(netns.get(id));
    }

    /** One metadata member: its Raft port (Ratis) and its rpc port (our MetadataService). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record MetadataMember(String id, String host, int raftPort, int rpcPort, long pid) {
        public MetadataMember {
            requireId(id);
        }

        /** The member's address as users and {@code --meta} see it. */
        public String rpcAddress() {
            return host + ":" + rpcPort;
        }

        public MetadataMember withPid(long newPid) {
            return new MetadataMember(id, host, raftPort, rpcPort, newPid);
        }
    }

    /** One data server. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ServerMember(String id, String host, int port, long pid) {
        public ServerMember {
            requireId(id);
        }

        public String address() {
            return host + ":" + port;
        }

        public ServerMember withPid(long newPid) {
            return new ServerMember(id, host, port, newPid);
        }
    }

    private static void requireId(String id) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("member id is empty");
        }
    }

    /** The metadata members' rpc addresses, in id order as stored. */
    public List<String> metadataAddresses() {
        return metadata.stream().map(MetadataMember::rpcAddress).toList();
    }

    /**
     * What the cluster file of this cluster holds ({@link ClusterConfigFile}): the metadata
     * members as {@code peers} and the settings every member starts with.
     */
    public Map<String, String> clusterConf() {
        Map<String, String> conf = new TreeMap<>(security);
        conf.put("peers", metadata.stream()
                .map(m -> m.id() + "=" + m.host() + ":" + m.raftPort() + ":" + m.rpcPort())
                .collect(Collectors.joining(",")));
        conf.put("replication", Integer.toString(replication));
        conf.put("partitions", Integer.toString(partitions));
        conf.put("initial-servers", Integer.toString(servers.size()));
        return conf;
    }

    /** Every member id: metadata first, then data servers. */
    public List<String> memberIds() {
        List<String> ids = new ArrayList<>();
        metadata.forEach(m -> ids.add(m.id()));
        servers.forEach(s -> ids.add(s.id()));
        return ids;
    }

    public Optional<MetadataMember> metadataMember(String id) {
        return metadata.stream().filter(m -> m.id().equals(id)).findFirst();
    }

    public Optional<ServerMember> server(String id) {
        return servers.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** The pid recorded for a member id, or 0 if none is recorded or the id is unknown. */
    public long pidOf(String id) {
        return metadataMember(id).map(MetadataMember::pid)
                .or(() -> server(id).map(ServerMember::pid))
                .orElse(0L);
    }

    /** A copy with the pid of one member replaced. */
    public ClusterFile withPid(String id, long pid) {
        List<MetadataMember> m = metadata.stream()
                .map(x -> x.id().equals(id) ? x.withPid(pid) : x).toList();
        List<ServerMember> s = servers.stream()
                .map(x -> x.id().equals(id) ? x.withPid(pid) : x).toList();
        return new ClusterFile(replication, partitions, m, s, metadataArgs, serverArgs, netns,
                security, metrics);
    }

    /** A copy with one more data server (not yet started). */
    public ClusterFile withServer(ServerMember added) {
        if (memberIds().contains(added.id())) {
            throw new ClusterException("member " + added.id() + " already exists");
        }
        List<ServerMember> s = new ArrayList<>(servers);
        s.add(added);
        return new ClusterFile(replication, partitions, metadata, s, metadataArgs, serverArgs,
                netns, security, metrics);
    }

    /** A copy without data server {@code id} (its directory stays on disk). */
    public ClusterFile withoutServer(String id) {
        List<ServerMember> s = servers.stream().filter(x -> !x.id().equals(id)).toList();
        return new ClusterFile(replication, partitions, metadata, s, metadataArgs, serverArgs,
                netns, security, without(metrics, id));
    }

    /** A copy with one more metadata member (not yet started). */
    public ClusterFile withMetadataMember(MetadataMember added) {
        if (memberIds().contains(added.id())) {
            throw new ClusterException("member " + added.id() + " already exists");
        }
        List<MetadataMember> m = new ArrayList<>(metadata);
        m.add(added);
        return new ClusterFile(replication, partitions, m, servers, metadataArgs, serverArgs,
                netns, security, metrics);
    }

    /** A copy without metadata member {@code id} (its directory stays on disk). */
    public ClusterFile withoutMetadataMember(String id) {
        List<MetadataMember> m = metadata.stream().filter(x -> !x.id().equals(id)).toList();
        return new ClusterFile(replication, partitions, m, servers, metadataArgs, serverArgs,
                netns, security, without(metrics, id));
    }

    private static Map<String, Integer> without(Map<String, Integer> ports, String id) {
        Map<String, Integer> rest = new HashMap<>(ports);
        rest.remove(id);
        return rest;
    }

    /** The id the next added data server gets: one above the highest "serverN" ever listed. */
    public String nextServerId() {
        return nextId("server", servers.stream().map(ServerMember::id).toList());
    }

    /** The id the next added metadata member gets: one above the highest "metaN" listed. */
    public String nextMetadataId() {
        return nextId("meta", metadata.stream().map(MetadataMember::id).toList());
    }

    private static String nextId(String prefix, List<String> ids) {
        int max = 0;
        for (String id : ids) {
            if (id.matches(prefix + "[0-9]+")) {
                max = Math.max(max, Integer.parseInt(id.substring(prefix.length())));
            }
        }
        return prefix + (max + 1);
    }

    /** A copy with every pid set to 0, as after {@code cluster stop}. */
    public ClusterFile withoutPids() {
        return new ClusterFile(replication, partitions,
                metadata.stream().map(x -> x.withPid(0)).toList(),
                servers.stream().map(x -> x.withPid(0)).toList(), metadataArgs, serverArgs,
                netns, security, metrics);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize cluster.json", e);
        }
    }

    public static ClusterFile fromJson(String json) {
        try {
            return JSON.readValue(json, ClusterFile.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new ClusterException("cluster.json is not valid: " + oneLine(e.getMessage()), e);
        }
    }

    /** Reads {@code <dir>/cluster.json}; empty if the directory holds no cluster. */
    public static Optional<ClusterFile> read(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        try {
            return Optional.of(fromJson(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ClusterException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code <dir>/cluster.json} atomically (a temporary file, then a rename). */
    public void write(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        Path tmp = dir.resolve(FILE_NAME + ".tmp");
        try {
            Files.createDirectories(dir);
            Files.writeString(tmp, toJson() + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new ClusterException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
