package org.gtstore.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the TLS and token flags accept, and the one line each mistake gets. */
class TransportSecurityTest {
    @TempDir
    Path dir;

    @Test
    void noFlagsIsPlaintext() {
        TransportSecurity s = TransportSecurity.fromFlags(null, "", " ", null);
        assertFalse(s.tls());
        assertFalse(s.hasToken());
        assertTrue(s.serverCredentials() instanceof InsecureServerCredentials);
        assertTrue(s.channelCredentials() instanceof InsecureChannelCredentials);
        assertEquals(TransportSecurity.plaintext(), s);
    }

    @Test
    void tlsNeedsAllThreeReadableFiles() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        IllegalArgumentException partial = assertThrows(IllegalArgumentException.class,
                () -> TransportSecurity.fromFlags(ca.toString(), ca.toString(), null, null));
        assertEquals("TLS needs all three of --tls-ca, --tls-cert and --tls-key (given:"
                + " --tls-ca --tls-cert )", partial.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> TransportSecurity.fromFlags(ca.toString(), ca.toString(),
                        dir.resolve("nope.key").toString(), null));
        assertTrue(missing.getMessage().startsWith("--tls-key "), missing.getMessage());
        IllegalArgumentException garbage = assertThrows(IllegalArgumentException.class,
                () -> TransportSecurity.fromFlags(ca.toString(), ca.toString(), ca.toString(),
                        null));
        assertTrue(garbage.getMessage().startsWith("cannot use the TLS files: --tls-ca "),
                garbage.getMessage());
        assertEquals(1, garbage.getMessage().lines().count());
    }

    @Test
    void aTokenIsTheFirstLineAndLongEnough() throws Exception {
        Path good = Files.writeString(dir.resolve("token"), "  abcdefghijklmnop1234 \nrest\n");
        TransportSecurity s = TransportSecurity.fromFlags(null, null, null, good.toString());
        assertTrue(s.hasToken());
        assertFalse(s.tls());
        assertFalse(s.toString().contains("abcdefgh"), "never printed: " + s);
        for (String bad : new String[] {"short\n", "", "has a space in it 1234567\n"}) {
            Path f = Files.writeString(dir.resolve("bad"), bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TransportSecurity.fromFlags(null, null, null, f.toString()));
            assertTrue(e.getMessage().contains("at least 16 printable ASCII"), e.getMessage());
        }
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> TransportSecurity.fromFlags(null, null, null,
                        dir.resolve("none").toString()));
        assertTrue(missing.getMessage().startsWith("--token-file "), missing.getMessage());
    }

    @Test
    void theClusterFileNamesTheFilesRelativeToItself() throws Exception {
        Path conf = dir.resolve("etc").resolve("cluster.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf.getParent().resolve("token"), "0123456789abcdef0123\n");
        ClusterConfigFile.write(conf, Map.of("peers", "meta1=h:1:2", "token-file", "token",
                "tls-ca", "/abs/ca.pem"));
        ClusterConfigFile f = ClusterConfigFile.read(conf);
        assertEquals(conf.getParent().resolve("token").toString(),
                f.get("token-file").orElseThrow());
        assertEquals("/abs/ca.pem", f.get("tls-ca").orElseThrow());
        assertEquals(Map.of("--token-file", conf.getParent().resolve("token").toString(),
                "--tls-ca", "/abs/ca.pem"), f.securityFlags());
        ClusterConfigFile.write(conf, Map.of("peers", "meta1=h:1:2", "token-file", "token"));
        assertTrue(ClusterConfigFile.read(conf).security().hasToken());
    }
}
