package org.gtstore.dataserver.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.gtstore.proto.DurableFiles;

/**
 * The identity of a data directory: a UUID written to {@code <data-dir>/storage.id} when the
 * directory is first used. The metadata compares it on registration: the same id means "the
 * same disk, restarted" (it may keep its chain positions), a new id means an empty newcomer.
 */
public final class StorageId {
    static final String FILE_NAME = "storage.id";

    private StorageId() {
    }

    /** Reads the storage id of {@code dataDir}, creating the directory and the id if needed. */
    /** True if the directory has a storage id: a server ran on it before. */
    public static boolean exists(Path dataDir) {
        return Files.exists(dataDir.resolve(FILE_NAME));
    }

    public static String loadOrCreate(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve(FILE_NAME);
        if (Files.exists(file)) {
            String id = Files.readString(file, StandardCharsets.UTF_8).trim();
            UUID.fromString(id);
            return id;
        }
        String id = UUID.randomUUID().toString();
        DurableFiles.replace(file, (id + "\n").getBytes(StandardCharsets.UTF_8));
        return id;
    }
}
