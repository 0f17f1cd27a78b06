package org.gtstore.dataserver.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.gtstore.proto.DurableFiles;

/**
 * The cluster a data directory belongs to: {@code <data-dir>/cluster.id}, written (synced,
 * then renamed into place) the first time the server registers, from the id the metadata group
 * gave its cluster. Every later registration sends it; the metadata refuses a directory of
 * another cluster (WRONG_CLUSTER), and the server then stops with one line naming both ids.
 */
public final class ClusterIdFile {
    static final String FILE_NAME = "cluster.id";

    private final Path dataDir;
    private final Consumer<String> refused;
    private volatile String id;

    /**
     * @param refused called once with the metadata's reason if the directory belongs to another
     *     cluster or the id is in use by a live server elsewhere: the server must stop
     */
    public ClusterIdFile(Path dataDir, Consumer<String> refused) throws IOException {
        this.dataDir = dataDir;
        this.refused = refused;
        Path file = dataDir.resolve(FILE_NAME);
        this.id = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).trim() : "";
    }

    /** The recorded cluster id, empty if the directory never registered anywhere. */
    public String id() {
        return id;
    }

    /** Registered in {@code clusterId}: recorded if the directory had none. */
    void joined(String clusterId) {
        if (!id.isEmpty() || clusterId.isEmpty()) {
            return;
        }
        try {
            DurableFiles.replace(dataDir.resolve(FILE_NAME),
                    (clusterId + "\n").getBytes(StandardCharsets.UTF_8));
            id = clusterId;
        } catch (IOException e) {
            refused.accept("cannot record the cluster id in " + dataDir + ": " + e);
        }
    }

    /**
     * The metadata refused this server for good: its directory belongs to another cluster,
     * or its id is a live server's elsewhere.
     */
    void refused(String reason) {
        refused.accept(reason);
    }
}
