package org.gtstore.gtctl.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.gtstore.proto.TransportSecurity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test CA and the certificates it issues: names, trust, key files, refusals. */
class TestCertificatesTest {
    @TempDir
    Path dir;

    @Test
    void aMemberCertificateNamesItsHostsAndIsSignedByTheCa() throws Exception {
        TestCertificates.Files3 f = TestCertificates.write(dir, List.of("10.1.2.3", "db1.lan"));
        X509Certificate ca = read(f.ca());
        X509Certificate member = read(f.cert());
        member.verify(ca.getPublicKey());
        List<String> names = member.getSubjectAlternativeNames().stream()
                .map(n -> (String) n.get(1)).toList();
        assertEquals(List.of("127.0.0.1", "localhost", "10.1.2.3", "db1.lan"), names);
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(f.key())));
        TransportSecurity s = TransportSecurity.fromFlags(f.ca().toString(),
                f.cert().toString(), f.key().toString(), null);
        assertTrue(s.tls());
    }

    @Test
    void aLaterHostGetsACertificateOfTheSameCa() throws Exception {
        TestCertificates.Files3 first = TestCertificates.issue(dir, "host1", List.of("10.0.0.1"));
        TestCertificates.Files3 later = TestCertificates.issue(dir, "host2", List.of("10.0.0.2"));
        assertEquals(first.ca(), later.ca());
        read(later.cert()).verify(read(first.ca()).getPublicKey());
    }

    @Test
    void mistakesAreRefusedAndOverwriteNothing() throws Exception {
        TestCertificates.Files3 f = TestCertificates.write(dir, List.of());
        String ca = Files.readString(f.ca());
        assertTrue(assertThrows(ClusterException.class, () -> TestCertificates.write(dir,
                List.of())).getMessage().contains("exists"));
        assertTrue(assertThrows(ClusterException.class, () -> TestCertificates.issue(dir,
                "member", List.of())).getMessage().contains("give another --name"));
        assertTrue(assertThrows(ClusterException.class, () -> TestCertificates.issue(dir,
                "x", List.of("10.0.0.1:7000"))).getMessage().contains("without a port"));
        assertTrue(assertThrows(ClusterException.class, () -> TestCertificates.issue(dir,
                "../x", List.of())).getMessage().contains("--name"));
        assertEquals(ca, Files.readString(f.ca()));
        IllegalArgumentException swapped = assertThrows(IllegalArgumentException.class,
                () -> TransportSecurity.fromFlags(f.ca().toString(), f.cert().toString(),
                        f.cert().toString(), null));
        assertTrue(swapped.getMessage().contains("--tls-key") && swapped.getMessage()
                .contains("PKCS#8"), swapped.getMessage());
    }

    private static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(in);
        }
    }
}
