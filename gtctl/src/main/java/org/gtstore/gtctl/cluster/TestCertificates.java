package org.gtstore.gtctl.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.gtstore.proto.HostPorts;

/**
 * Certificates for a test cluster's mutual TLS ({@code gtctl cluster certs}, {@code cluster
 * start --tls}): a new CA, and member certificates it signs, each naming the hosts its
 * holder is dialled at (servers and clients present the same kind). EC P-256
 * keys, PEM files; the keys PKCS#8 and readable by their owner only. A production cluster
 * uses certificates from the operator's own CA, one per host.
 */
public final class TestCertificates {
    public static final String CA_FILE = "ca.pem";
    public static final String CERT_FILE = "member.pem";
    public static final String KEY_FILE = "member.key";
    private static final String CA_KEY_FILE = "ca.key";
    private static final Duration VALIDITY = Duration.ofDays(825);
    private static final X500Name CA_NAME = new X500Name("CN=GTStore test CA");

    private TestCertificates() {
    }

    /** The three files a process is given: --tls-ca, --tls-cert, --tls-key. */
    public record Files3(Path ca, Path cert, Path key) {
    }

    /**
     * Writes {@code ca.pem}, {@code ca.key}, {@code member.pem} and {@code member.key} into
     * {@code dir} (created if missing); the member certificate names {@code hosts} (IP
     * addresses or DNS names) besides 127.0.0.1 and localhost. Refuses a directory that
     * already holds a CA.
     */
    public static Files3 write(Path dir, List<String> hosts) {
        if (Files.exists(dir.resolve(CA_FILE))) {
            throw new ClusterException(dir.resolve(CA_FILE) + " exists: give another --out (a"
                    + " new CA would not be trusted by the members of the old one)");
        }
        return issue(dir, "member", hosts);
    }

    /**
     * A certificate {@code NAME.pem} (key {@code NAME.key}) naming {@code hosts}, signed by
     * the CA in {@code dir}, which is made first if {@code dir} holds none: how a host added
     * later gets a certificate the others trust. Refuses to overwrite {@code NAME.pem}.
     */
    public static Files3 issue(Path dir, String name, List<String> hosts) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new ClusterException("--name takes letters, digits, '.', '_' and '-', got '"
                    + name + "'");
        }
        Set<String> names = new LinkedHashSet<>(List.of("127.0.0.1", "localhost"));
        for (String h : hosts) {
            if (h.isBlank() || HostPorts.isHostPort(h) || h.chars().anyMatch(
                    c -> c <= ' ' || c == '/')) {
                throw new ClusterException("--host takes a host name or IP address without a"
                        + " port, got '" + h + "'");
            }
            names.add(h.strip());
        }
        Files3 out = new Files3(dir.resolve(CA_FILE), dir.resolve(name + ".pem"),
                dir.resolve(name + ".key"));
        if (Files.exists(out.cert())) {
            throw new ClusterException(out.cert() + " exists: give another --name");
        }
        try {
            Files.createDirectories(dir);
            if (!Files.exists(out.ca())) {
                KeyPair caKeys = newKeys();
                X509Certificate ca = sign(CA_NAME, caKeys, CA_NAME, caKeys, true, List.of());
                writePem(dir.resolve(CA_KEY_FILE), new JcaPKCS8Generator(caKeys.getPrivate(),
                        null).generate(), true);
                writePem(out.ca(), ca, false);
            }
            KeyPair issuer = readCa(dir);
            KeyPair keys = newKeys();
            X509Certificate cert = sign(new X500Name("CN=GTStore " + name), keys, CA_NAME,
                    issuer, false, new ArrayList<>(names));
            writePem(out.key(), new JcaPKCS8Generator(keys.getPrivate(), null).generate(),
                    true);
            writePem(out.cert(), cert, false);
            return out;
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new ClusterException("cannot make certificates in " + dir + ": " + e, e);
        }
    }

    /** The CA's key pair: its private key from ca.key, its public key from ca.pem. */
    private static KeyPair readCa(Path dir) throws IOException, GeneralSecurityException {
        X509Certificate ca;
        try (InputStream in = Files.newInputStream(dir.resolve(CA_FILE))) {
            ca = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(in);
        }
        try (PEMParser p = new PEMParser(Files.newBufferedReader(dir.resolve(CA_KEY_FILE),
                StandardCharsets.US_ASCII))) {
            Object key = p.readObject();
            if (!(key instanceof PrivateKeyInfo info)) {
                throw new GeneralSecurityException(dir.resolve(CA_KEY_FILE)
                        + " holds no PKCS#8 private key");
            }
            return new KeyPair(ca.getPublicKey(), new JcaPEMKeyConverter().getPrivateKey(info));
        }
    }

    private static KeyPair newKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer,
            KeyPair issuerKeys, boolean ca, List<String> names)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
                new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(VALIDITY)), subject, subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (ca) {
            b.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth,
                        KeyPurposeId.id_kp_clientAuth}));
            List<GeneralName> sans = new ArrayList<>();
            for (String n : names) {
                sans.add(new GeneralName(isIpAddress(n) ? GeneralName.iPAddress
                        : GeneralName.dNSName, n));
            }
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(sans.toArray(GeneralName[]::new)));
        }
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA")
                .build(issuerKeys.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    /** A literal IPv4 or IPv6 address (a certificate names those as iPAddress). */
    static boolean isIpAddress(String host) {
        return host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.contains(":");
    }

    private static void writePem(Path file, Object pem, boolean secret) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            w.writeObject(pem);
        }
        if (secret) {
            ClusterSecurity.createOwnerOnly(file);
        }
        Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
    }
}
