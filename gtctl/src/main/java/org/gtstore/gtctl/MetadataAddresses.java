package org.gtstore.gtctl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.gtstore.gtctl.cluster.ClusterException;
import org.gtstore.gtctl.cluster.ClusterFile;
import org.gtstore.gtctl.kv.OneShotCommand;
import org.gtstore.proto.ClusterConfigFile;
import org.gtstore.proto.TransportSecurity;

/**
 * Which metadata members a command contacts: those of {@code --meta}, else those recorded in
 * {@code <dir>/cluster.json}. Kept apart from {@link CommonOptions} so that a one-shot command
 * read by {@link OneShotCommand} loads no picocli class.
 *
 * <p>The addresses are read from the file with Jackson's streaming parser, not its object
 * mapper: setting up the mapper for {@link ClusterFile}'s records is a noticeable part of a
 * one-shot command's start. A file this reader does not understand in full is handed to
 * {@link ClusterFile#fromJson}, which reports what is wrong with it.
 */
public final class MetadataAddresses {
    private static final JsonFactory JSON = new JsonFactory();

    private MetadataAddresses() {
    }

    /** {@code meta} if not empty, else the metadata addresses in {@code <dir>/cluster.json}. */
    public static List<String> resolve(Path dir, List<String> meta) {
        if (!meta.isEmpty()) {
            return meta;
        }
        return read(dir).orElseThrow(() ->
                new GtctlException("no cluster in " + dir + " (no " + ClusterFile.FILE_NAME
                        + "): start one with 'gtctl cluster start --nodes N --rep K',"
                        + " or give --dir D or --meta host:port"));
    }

    /**
     * How the connections to the cluster of {@code <dir>} are secured: as its cluster file
     * ({@code <dir>/cluster.conf}, written by the launcher) says; plaintext for {@code --meta}
     * or a directory without one.
     */
    public static TransportSecurity security(Path dir, List<String> meta) {
        Path conf = dir.resolve("cluster.conf");
        if (!meta.isEmpty() || !Files.isRegularFile(conf)) {
            return TransportSecurity.plaintext();
        }
        try {
            return ClusterConfigFile.read(conf).security();
        } catch (IllegalArgumentException e) {
            throw new GtctlException(e.getMessage());
        }
    }

    /**
     * The metadata members' rpc addresses in {@code <dir>/cluster.json}, as
     * {@link ClusterFile#metadataAddresses} gives them; empty if the directory holds no cluster.
     */
    static Optional<List<String>> read(Path dir) {
        Path file = dir.resolve(ClusterFile.FILE_NAME);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ClusterException("cannot read " + file + ": " + e.getMessage(), e);
        }
        List<String> addresses;
        try {
            addresses = parse(text);
        } catch (IOException | RuntimeException e) {
            addresses = null;
        }
        return Optional.of(addresses != null ? addresses
                : ClusterFile.fromJson(text).metadataAddresses());
    }

    /** The addresses, or null if the text is not a cluster.json this reader understands. */
    private static List<String> parse(String text) throws IOException {
        List<String> addresses = null;
        long replication = 0;
        long partitions = 0;
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "replication" -> replication = value.isNumeric() ? p.getLongValue() : 0;
                    case "partitions" -> partitions = value.isNumeric() ? p.getLongValue() : 0;
                    case "metadata" -> addresses = members(p);
                    default -> p.skipChildren();
                }
                if ("metadata".equals(field) && addresses == null) {
                    return null;
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
        }
        return replication > 0 && partitions > 0 ? addresses : null;
    }

    /** The array of metadata members at the parser, as addresses; null if unexpected. */
    private static List<String> members(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            return null;
        }
        List<String> addresses = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String id = null;
            String host = null;
            int rpcPort = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "id" -> id = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "host" -> host = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "rpcPort" -> rpcPort = value == JsonToken.VALUE_NUMBER_INT
                            ? p.getIntValue() : -1;
                    default -> p.skipChildren();
                }
            }
            if (id == null || id.isEmpty() || host == null || rpcPort < 0) {
                return null;
            }
            addresses.add(host + ":" + rpcPort);
        }
        return p.currentToken() == JsonToken.END_ARRAY ? List.copyOf(addresses) : null;
    }
}
