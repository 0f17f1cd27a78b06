package org.gtstore.gtctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/gtctl, scripts/client and scripts/start_service in a copy of the repository layout,
 * with a fake {@code mvn} (records its arguments, makes the jars) and a fake {@code java} (prints
 * its arguments one per line), so build-on-first-use and argument pass-through are checked
 * without building anything.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScriptsTest {
    private static final List<String> JARS = List.of("gtctl/target/gtstore-gtctl.jar",
            "metadata-raft/target/gtstore-metadata-raft.jar",
            "dataserver/target/gtstore-dataserver.jar");

    @TempDir
    Path tmp;

    private Path root;
    private Path bin;
    private Path mvnLog;

    record Run(int exitCode, List<String> out, String err) {
    }

    private static Path repositoryRoot() {
        String home = System.getProperty("gtstore.home");
        Path p = home != null ? Path.of(home) : Path.of("..");
        return p.toAbsolutePath().normalize();
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static void executable(Path file, String text) throws IOException {
        write(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @BeforeEach
    void layout() throws IOException {
        root = tmp.resolve("repo");
        for (String s : List.of("gtctl", "client", "start_service")) {
            executable(root.resolve("scripts/" + s),
                    Files.readString(repositoryRoot().resolve("scripts/" + s)));
        }
        write(root.resolve("pom.xml"), "<project/>");
        for (String m : List.of("proto", "client", "bench", "gtctl", "metadata-raft",
                "dataserver")) {
            write(root.resolve(m + "/pom.xml"), "<project/>");
            write(root.resolve(m + "/src/main/java/A.java"), "class A {}");
        }
        bin = tmp.resolve("bin");
        mvnLog = tmp.resolve("mvn.log");
        StringBuilder makeJars = new StringBuilder();
        for (String jar : JARS) {
            makeJars.append("mkdir -p \"$(dirname '").append(jar).append("')\"; touch '")
                    .append(jar).append("'\n");
        }
        executable(bin.resolve("mvn"), "#!/usr/bin/env bash\n"
                + "echo \"$*\" >> '" + mvnLog + "'\n"
                + "sleep \"${FAKE_MVN_SECONDS:-0}\"\n" + makeJars);
        // A training run's archive is written at exit: the fake writes it, then fails if told.
        executable(tmp.resolve("jdk/bin/java"), "#!/usr/bin/env bash\n"
                + "for a in \"$@\"; do case \"$a\" in -XX:ArchiveClassesAtExit=*)"
                + " echo jsa > \"${a#*=}\";; esac; done\n"
                + "printf '%s\\n' \"$@\"\nexit \"${FAKE_JAVA_EXIT:-0}\"\n");
    }

    private Run run(List<String> env, String script, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("env",
                "PATH=" + bin + ":" + System.getenv("PATH"), "JAVA_HOME=" + tmp.resolve("jdk"),
                "TMPDIR=" + tmp));
        cmd.addAll(env);
        cmd.add(root.resolve("scripts/" + script).toString());
        cmd.addAll(List.of(args));
        Path out = tmp.resolve("out-" + System.nanoTime());
        Path err = tmp.resolve("err-" + System.nanoTime());
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "script did not finish");
        return new Run(p.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private Run run(String script, String... args) throws Exception {
        return run(List.of(), script, args);
    }

    private List<String> mvnCalls() throws IOException {
        return Files.exists(mvnLog) ? Files.readAllLines(mvnLog) : List.of();
    }

    private List<String> javaCall(String... args) {
        List<String> expected = new ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Dgtstore.home=" + root, "-jar",
                root.resolve("gtctl/target/gtstore-gtctl.jar").toString()));
        expected.addAll(List.of(args));
        return expected;
    }

    @Test
    void firstUseBuildsThenRunsTheToolWithTheClientFlags() throws Exception {
        Run r = run("gtctl", "cluster", "status");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(List.of("-q -B -DskipTests -pl gtctl,metadata-raft,dataserver -am package"),
                mvnCalls());
        assertTrue(r.err().startsWith("gtctl: building GTStore"), r.err());
        assertEquals(javaCall("cluster", "status"), r.out());
    }

    @Test
    void aCurrentBuildIsNotRebuiltButANewerSourceIs() throws Exception {
        run("gtctl", "get", "k");
        Run again = run("gtctl", "get", "k");
        assertEquals("", again.err());
        assertEquals(1, mvnCalls().size());

        Path source = root.resolve("client/src/main/java/A.java");
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().plusSeconds(5)));
        run("gtctl", "get", "k");
        assertEquals(2, mvnCalls().size());
    }

    @Test
    void aChangedTestSourceDoesNotTriggerABuild() throws Exception {
        run("gtctl", "get", "k");
        Path test = root.resolve("client/src/test/java/ATest.java");
        write(test, "class ATest {}");
        Files.setLastModifiedTime(test, FileTime.from(Instant.now().plusSeconds(5)));
        run("gtctl", "get", "k");
        assertEquals(1, mvnCalls().size());
    }

    @Test
    void concurrentFirstUsesBuildOnce() throws Exception {
        List<String> slow = List.of("FAKE_MVN_SECONDS=2");
        var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return run(slow, "gtctl", "get", "a");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Run second = run(slow, "gtctl", "get", "b");
        Run one = first.get();
        assertEquals(0, one.exitCode(), one.err());
        assertEquals(0, second.exitCode(), second.err());
        assertEquals(1, mvnCalls().size(), mvnCalls().toString());
    }

    @Test
    void skipBuildRunsTheJarsAsTheyAre() throws Exception {
        Run r = run(List.of("GTSTORE_SKIP_BUILD=1", "GTSTORE_CDS=0"), "gtctl", "get", "k");
        assertEquals(List.of(), mvnCalls());
        assertEquals(javaCall("get", "k"), r.out());
    }

    @Test
    void benchRunsWithMoreHeapAndFullCompilation() throws Exception {
        Run r = run(List.of("GTSTORE_SKIP_BUILD=1"), "gtctl", "bench", "throughput");
        assertEquals(List.of("-Xmx1g", "-XX:+UseSerialGC", "-Xshare:auto",
                "-Djava.awt.headless=true"), r.out().subList(0, 4));
        assertFalse(r.out().stream().anyMatch(a -> a.startsWith("-XX:TieredStopAtLevel")),
                r.out().toString());
    }

    @Test
    void clientPassesKeysAndValuesThroughUnchanged() throws Exception {
        List<String> skip = List.of("GTSTORE_SKIP_BUILD=1", "GTSTORE_CDS=0");
        assertEquals(javaCall("put", "--", "key with spaces", "välue ✓ -x"),
                run(skip, "client", "--put", "key with spaces", "--val", "välue ✓ -x").out());
        assertEquals(javaCall("get", "--dir", "/d d", "--meta", "h:1,h:2", "--json", "--", "-k"),
                run(skip, "client", "--dir", "/d d", "--get", "-k", "--meta=h:1,h:2", "--json")
                        .out());
        assertEquals(javaCall("delete", "--", "k"), run(skip, "client", "--delete", "k").out());
        assertEquals(javaCall("put", "--", "k", ""),
                run(skip, "client", "--put", "k", "--val", "").out());
    }

    @Test
    void clientRejectsBadArgumentsInOneLine() throws Exception {
        List<String> skip = List.of("GTSTORE_SKIP_BUILD=1");
        for (String[] args : List.of(new String[] {"--put", "k"},
                new String[] {"--get", "k", "--val", "v"},
                new String[] {"--get", "a", "--delete", "b"},
                new String[] {"--bogus"}, new String[] {}, new String[] {"--get"})) {
            Run r = run(skip, "client", args);
            assertEquals(2, r.exitCode(), String.join(" ", args));
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("client: "), r.err());
            assertEquals(List.of(), r.out());
        }
    }

    @Test
    void startServiceIsClusterStart() throws Exception {
        assertEquals(javaCall("cluster", "start", "--nodes", "5", "--rep", "3", "--dir", "x"),
                run(List.of("GTSTORE_SKIP_BUILD=1"), "start_service", "--nodes", "5", "--rep",
                        "3", "--dir", "x").out());
    }

    @Test
    void firstOneShotCommandTrainsTheClassArchiveAndLaterCommandsUseIt() throws Exception {
        List<String> skip = List.of("GTSTORE_SKIP_BUILD=1");
        assertEquals(javaCall("cluster", "status"), run(skip, "gtctl", "cluster", "status").out(),
                "only put, get and delete train the archive");
        Run training = run(skip, "client", "--get", "k");
        assertEquals(0, training.exitCode(), training.err());
        String dump = training.out().get(5);
        assertTrue(dump.startsWith("-XX:ArchiveClassesAtExit="
                + root.resolve("gtctl/target/cds")), training.out().toString());
        List<Path> archives = archives();
        assertEquals(1, archives.size(), archives.toString());
        assertTrue(archives.get(0).getFileName().toString().matches("gtctl-[0-9]+\\.jsa"));

        List<String> expected = new ArrayList<>(javaCall("cluster", "status"));
        expected.addAll(5, List.of("-XX:SharedArchiveFile=" + archives.get(0), "-Xlog:cds*=off"));
        assertEquals(expected, run(skip, "gtctl", "cluster", "status").out());
        assertEquals(javaCall("get", "k"),
                run(List.of("GTSTORE_SKIP_BUILD=1", "GTSTORE_CDS=0"), "gtctl", "get", "k").out());
    }

    @Test
    void aRebuiltJarGetsANewArchiveAndTheOldOneGoes() throws Exception {
        List<String> skip = List.of();
        run(skip, "gtctl", "put", "k", "v");
        List<Path> before = archives();
        Files.setLastModifiedTime(root.resolve(JARS.get(0)),
                FileTime.from(Instant.now().plusSeconds(5)));
        Run again = run(skip, "gtctl", "put", "k", "v");
        assertTrue(again.out().get(5).startsWith("-XX:ArchiveClassesAtExit="),
                again.out().toString());
        List<Path> after = archives();
        assertEquals(1, after.size(), after.toString());
        assertFalse(after.equals(before), after.toString());
    }

    @Test
    void aFailedTrainingRunKeepsNoArchiveAndKeepsItsExitCode() throws Exception {
        Run r = run(List.of("GTSTORE_SKIP_BUILD=1", "FAKE_JAVA_EXIT=1"), "gtctl", "get", "k");
        assertEquals(1, r.exitCode());
        assertEquals(List.of(), archives());
    }

    private List<Path> archives() throws IOException {
        Path dir = root.resolve("gtctl/target/cds");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}
