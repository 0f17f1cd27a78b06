package org.gtstore.gtctl.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.gtstore.gtctl.cluster.ClusterFile.MetadataMember;
import org.gtstore.gtctl.cluster.ClusterFile.ServerMember;

/**
 * The security of a cluster the launcher starts: with {@code --tls}, certificates made for
 * every host its members listen on ({@code <dir>/tls}); with {@code --token}, a random token
 * ({@code <dir>/token}, 32 bytes, readable by its owner only). Returns the cluster file keys
 * naming them, which every member and gtctl read.
 */
final class ClusterSecurity {
    static final String TLS_DIR = "tls";
    static final String TOKEN_FILE = "token";

    private ClusterSecurity() {
    }

    static Map<String, String> make(Path dir, ClusterFile cluster, boolean tls, boolean token) {
        Map<String, String> keys = new TreeMap<>();
        if (tls) {
            TestCertificates.Files3 files = TestCertificates.write(dir.resolve(TLS_DIR),
                    hostsOf(cluster));
            keys.put("tls-ca", files.ca().toString());
            keys.put("tls-cert", files.cert().toString());
            keys.put("tls-key", files.key().toString());
        }
        if (token) {
            keys.put("token-file", writeToken(dir.resolve(TOKEN_FILE)).toString());
        }
        return keys;
    }

    private static Path writeToken(Path file) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String text = Base64.getUrlEncoder().withoutPadding().encodeToString(secret) + "\n";
        try {
            Files.createDirectories(file.getParent());
            createOwnerOnly(file);
            Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new ClusterException("cannot write the cluster token " + file + ": "
                    + e.getMessage(), e);
        }
        return file;
    }

    /**
     * Creates an empty file readable and writable by its owner only, before anything secret
     * is written to it (on a file system without POSIX permissions, an ordinary file: the
     * directory's permissions protect it).
     */
    static void createOwnerOnly(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
    }

    /** The hosts a member certificate must name: every member's, the loopback ones. */
    static List<String> hostsOf(ClusterFile cluster) {
        Set<String> hosts = new LinkedHashSet<>();
        cluster.metadata().stream().map(MetadataMember::host).forEach(hosts::add);
        cluster.servers().stream().map(ServerMember::host).forEach(hosts::add);
        return new ArrayList<>(hosts);
    }
}
