package org.gtstore.tests.support;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.gtstore.gtctl.cluster.GtstoreHome;

/**
 * The README's Java example, taken from the README itself (the {@code java} block under
 * "Using the Java client"), compiled with the JDK's compiler against this JVM's class path
 * and run in this JVM: the README cannot show code that does not compile or work.
 */
public final class ReadmeExample {
    private static final Pattern BLOCK = Pattern.compile(
            "### Using the Java client.*?```java\\n(.*?)```", Pattern.DOTALL);

    private ReadmeExample() {
    }

    /** Compiles the example and runs its {@code main} with {@code args}. */
    public static void run(String... args) throws Exception {
        String readme = Files.readString(GtstoreHome.resolve().resolve("README.md"),
                StandardCharsets.UTF_8);
        Matcher m = BLOCK.matcher(readme);
        if (!m.find()) {
            throw new AssertionError("README.md has no java block under 'Using the Java"
                    + " client'");
        }
        Path dir = Files.createTempDirectory("gtstore-readme-");
        try {
            Path source = dir.resolve("Example.java");
            Files.writeString(source, m.group(1), StandardCharsets.UTF_8);
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            int code = javac.run(null, null, null, "-classpath",
                    System.getProperty("java.class.path"), "-d", dir.toString(),
                    source.toString());
            if (code != 0) {
                throw new AssertionError("the README's example does not compile (javac exit "
                        + code + ")");
            }
            try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                    ReadmeExample.class.getClassLoader())) {
                Method main = loader.loadClass("Example").getMethod("main", String[].class);
                main.invoke(null, (Object) args);
            }
        } finally {
            TestCluster.deleteRecursively(dir);
        }
    }
}
