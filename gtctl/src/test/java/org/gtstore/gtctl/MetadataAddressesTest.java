package org.gtstore.gtctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.gtctl.cluster.ClusterException;
import org.gtstore.gtctl.cluster.ClusterFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metadata addresses a one-shot command reads from cluster.json without Jackson's object
 * mapper are those {@link ClusterFile} gives, and a file the reader does not understand gets
 * ClusterFile's own answer.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MetadataAddressesTest {
    @Test
    void readsTheMetadataAddressesAsClusterFileDoes(@TempDir Path dir) {
        ClusterFile file = new ClusterFile(3, 1024, List.of(
                new ClusterFile.MetadataMember("meta1", "10.0.0.1", 5001, 5002, 11),
                new ClusterFile.MetadataMember("meta2", "10.0.0.2", 5003, 5004, 0)),
                List.of(new ClusterFile.ServerMember("server1", "10.0.0.3", 6000, 12)))
                .withArgs(List.of("--restart-grace-ms", "5000"), List.of());
        file.write(dir);
        assertEquals(file.metadataAddresses(), MetadataAddresses.read(dir).orElseThrow());
        assertEquals(List.of("10.0.0.1:5002", "10.0.0.2:5004"),
                MetadataAddresses.read(dir).orElseThrow());
        assertTrue(MetadataAddresses.read(dir.resolve("none")).isEmpty());
    }

    @Test
    void aFileItDoesNotUnderstandGetsClusterFilesAnswer(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(ClusterFile.FILE_NAME),
                "{\"replication\":2,\"partitions\":8,\"metadata\":[{\"id\":\"meta1\","
                        + "\"host\":\"h\",\"rpcPort\":\"7\"}],\"extra\":{\"a\":[1]}}");
        assertEquals(List.of("h:7"), MetadataAddresses.read(dir).orElseThrow());
        Files.writeString(dir.resolve(ClusterFile.FILE_NAME), "{\"replication\":");
        ClusterException e = assertThrows(
                ClusterException.class, () -> MetadataAddresses.read(dir));
        assertTrue(e.getMessage().startsWith("cluster.json is not valid"), e.getMessage());
    }
}
