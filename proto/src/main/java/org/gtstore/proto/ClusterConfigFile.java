package org.gtstore.proto;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The cluster file ({@code --cluster-file F}): one properties file that names the metadata
 * members and the cluster's settings, read by every metadata member, every data server and
 * gtctl. A process on any machine then needs only its own id, addresses and directory on its
 * command line. Keys are the metadata member's flag names without {@code --}; a flag given on
 * a command line wins over the file.
 *
 * <pre>
 * # GTStore cluster file
 * peers = meta1=10.0.0.1:7000:7001,meta2=10.0.0.2:7000:7001,meta3=10.0.0.3:7000:7001
 * replication = 3
 * partitions = 1024
 * durability = replicated
 * </pre>
 *
 * <p>{@code peers} lists each member as {@code id=host:raftPort:rpcPort}; data servers and
 * gtctl take the metadata addresses ({@code host:rpcPort}) from it. An unknown key (a typo)
 * is refused rather than ignored.
 */
public final class ClusterConfigFile {
    /** Every key the file may hold. */
    public static final Set<String> KEYS = Set.of("peers", "replication", "partitions",
            "durability", "initial-servers", "failure-timeout-ms", "lease-ms",
            "heartbeat-interval-ms", "election-timeout-min-ms", "election-timeout-max-ms",
            "restart-grace-ms", "revive-wait-ms", "rebalance-moves", "bootstrap-wait-ms",
            "tls-ca", "tls-cert", "tls-key", "token-file");

    /** The keys that name files: a relative path is read from the cluster file's directory. */
    public static final Set<String> FILE_KEYS = Set.of("tls-ca", "tls-cert", "tls-key",
            "token-file");

    /** The flag that names the file. */
    public static final String FLAG = "--cluster-file";

    private final Path path;
    private final Map<String, String> values;

    private ClusterConfigFile(Path path, Map<String, String> values) {
        this.path = path;
        this.values = values;
    }

    /**
     * Reads and checks a cluster file; throws IllegalArgumentException with one line naming
     * the file and what is wrong (missing, unreadable, an unknown key, no peers, a bad peer).
     */
    public static ClusterConfigFile read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read the cluster file " + file + ": "
                    + e.getMessage());
        }
        Map<String, String> values = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("the cluster file " + file + " has an unknown"
                        + " key '" + key + "'; known keys: " + String.join(", ",
                        new TreeSet<>(KEYS)));
            }
            values.put(key, p.getProperty(key).strip());
        }
        ClusterConfigFile f = new ClusterConfigFile(file, values);
        if (f.metadataAddresses().isEmpty()) {
            throw new IllegalArgumentException("the cluster file " + file + " names no metadata"
                    + " members: add 'peers = meta1=host:raftPort:rpcPort,...'");
        }
        return f;
    }

    /** Writes a cluster file with these values (keys as in {@link #KEYS}), atomically. */
    public static void write(Path file, Map<String, String> values) throws IOException {
        StringBuilder text = new StringBuilder("# GTStore cluster file: read by every metadata"
                + " member, data server and gtctl (--cluster-file)\n");
        for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
            if (!KEYS.contains(e.getKey())) {
                throw new IllegalArgumentException("unknown cluster file key " + e.getKey());
            }
            text.append(e.getKey()).append(" = ").append(e.getValue()).append('\n');
        }
        DurableFiles.replace(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The command line with the cluster file's values for the flags it does not give: if
     * {@code args} name a file with {@code --cluster-file F} (or {@code --cluster-file=F}),
     * each flag {@code defaults} derives from that file and the command line lacks is
     * appended with its value. Without a cluster file, {@code args} as they are.
     */
    public static String[] withDefaults(String[] args,
            Function<ClusterConfigFile, Map<String, String>> defaults) {
        String file = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(FLAG) && i + 1 < args.length) {
                file = args[i + 1];
            } else if (args[i].startsWith(FLAG + "=")) {
                file = args[i].substring(FLAG.length() + 1);
            }
        }
        if (file == null) {
            return args;
        }
        List<String> out = new ArrayList<>(List.of(args));
        defaults.apply(read(Path.of(file))).forEach((flag, value) -> {
            boolean given = out.stream().anyMatch(a -> a.equals(flag)
                    || a.startsWith(flag + "="));
            if (!given) {
                out.add(flag);
                out.add(value);
            }
        });
        return out.toArray(String[]::new);
    }

    /** Every key of the file as the flag of the same name ({@code --key}), for a member. */
    public Map<String, String> asFlags() {
        Map<String, String> flags = new TreeMap<>();
        values.keySet().forEach(k -> flags.put("--" + k, get(k).orElseThrow()));
        return flags;
    }

    /** The file's TLS and token keys as flags ({@code --tls-ca F} ...), for any process. */
    public Map<String, String> securityFlags() {
        Map<String, String> flags = new TreeMap<>();
        for (String k : FILE_KEYS) {
            get(k).ifPresent(v -> flags.put("--" + k, v));
        }
        return flags;
    }

    /** The security the file describes (plaintext if it names no TLS files and no token). */
    public TransportSecurity security() {
        return TransportSecurity.fromFlags(get("tls-ca").orElse(null),
                get("tls-cert").orElse(null), get("tls-key").orElse(null),
                get("token-file").orElse(null));
    }

    public Path path() {
        return path;
    }

    /**
     * The value of a key, if the file sets it; a file key's relative path resolved against
     * the cluster file's directory.
     */
    public Optional<String> get(String key) {
        String v = values.get(key);
        if (v == null || !FILE_KEYS.contains(key)) {
            return Optional.ofNullable(v);
        }
        Path dir = path.toAbsolutePath().getParent();
        return Optional.of(dir == null ? v : dir.resolve(v).toString());
    }

    /**
     * The metadata members' rpc addresses ({@code host:rpcPort}) in the order {@code peers}
     * lists them; throws IllegalArgumentException for a peer that is not
     * {@code id=host:raftPort:rpcPort}.
     */
    public List<String> metadataAddresses() {
        List<String> out = new ArrayList<>();
        String peers = values.getOrDefault("peers", "");
        for (String spec : peers.split(",")) {
            String s = spec.strip();
            if (s.isEmpty()) {
                continue;
            }
            int eq = s.indexOf('=');
            String[] parts = eq < 0 ? new String[0] : s.substring(eq + 1).split(":");
            if (eq <= 0 || parts.length != 3 || parts[0].isEmpty()) {
                throw new IllegalArgumentException("the cluster file " + path + ": expected"
                        + " peers as id=host:raftPort:rpcPort,..., got '" + s + "'");
            }
            out.add(parts[0] + ":" + parts[2]);
        }
        return out;
    }
}
