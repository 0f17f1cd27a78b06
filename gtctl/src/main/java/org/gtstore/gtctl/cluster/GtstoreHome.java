package org.gtstore.gtctl.cluster;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * Finds the repository root that holds the built jars. It is the system property
 * {@code gtstore.home} (set by scripts/gtctl and by Maven's surefire/failsafe); without it, the
 * root is found from where gtctl itself was loaded ({@code <root>/gtctl/target/...}).
 */
public final class GtstoreHome {
    public static final String PROPERTY = "gtstore.home";

    private GtstoreHome() {
    }

    public static Path resolve() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        Path fromCode = fromCodeSource();
        if (fromCode != null) {
            return fromCode;
        }
        throw new ClusterException("cannot find the GTStore build: run through scripts/gtctl, or"
                + " set -D" + PROPERTY + "=<repository root>");
    }

    private static Path fromCodeSource() {
        CodeSource source = GtstoreHome.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return null;
        }
        try {
            Path p = Path.of(source.getLocation().toURI()).toAbsolutePath();
            // <root>/gtctl/target/classes or <root>/gtctl/target/gtstore-gtctl.jar
            Path target = p.getParent();
            if (target == null || !target.getFileName().toString().equals("target")) {
                return null;
            }
            Path root = target.getParent() == null ? null : target.getParent().getParent();
            if (root != null && Files.isRegularFile(root.resolve("pom.xml"))) {
                return root.normalize();
            }
            return null;
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }
}
