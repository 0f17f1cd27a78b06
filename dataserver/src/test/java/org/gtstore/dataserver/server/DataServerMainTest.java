package org.gtstore.dataserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.gtstore.proto.ClusterConfigFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flags a data server takes from the cluster file. */
class DataServerMainTest {
    @Test
    void theClusterFileGivesTheMetadataMembersAndTheSecurityFiles(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("cluster.conf");
        ClusterConfigFile.write(file, Map.of("peers",
                "meta1=10.0.0.1:7000:7001,meta2=10.0.0.2:7000:7001", "replication", "3",
                "tls-ca", "tls/ca.pem", "tls-cert", "/etc/gtstore/member.pem",
                "tls-key", "/etc/gtstore/member.key", "lease-ms", "900"));
        assertEquals(Map.of("--meta", "10.0.0.1:7001,10.0.0.2:7001",
                "--tls-ca", dir.resolve("tls/ca.pem").toString(),
                "--tls-cert", "/etc/gtstore/member.pem",
                "--tls-key", "/etc/gtstore/member.key"),
                DataServerMain.fromClusterFile(ClusterConfigFile.read(file)),
                "the metadata members' settings are not a data server's flags");
    }
}
