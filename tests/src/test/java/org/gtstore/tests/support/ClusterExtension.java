package org.gtstore.tests.support;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Starts one {@link TestCluster} before a test class and stops it after; when a test fails it
 * prints the tails of every process's log, so a CI failure shows what the servers saw.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final ClusterExtension CLUSTER = new ClusterExtension(5, 3);
 * </pre>
 */
public final class ClusterExtension implements BeforeAllCallback, AfterAllCallback, TestWatcher {
    private final Supplier<TestCluster> starter;
    private TestCluster cluster;

    public ClusterExtension(int nodes, int rep) {
        this(nodes, rep, List.of());
    }

    /** A cluster whose metadata members get these extra flags (timing knobs). */
    public ClusterExtension(int nodes, int rep, List<String> metadataArgs) {
        this(() -> TestCluster.start(nodes, rep, List.copyOf(metadataArgs)));
    }

    /** A cluster that {@code starter} starts (e.g. {@link TestCluster#startInNetns}). */
    public ClusterExtension(Supplier<TestCluster> starter) {
        this.starter = starter;
    }

    public TestCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("the cluster is started before all tests");
        }
        return cluster;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = starter.get();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (cluster != null) {
            System.err.println("---- " + context.getDisplayName() + " failed: process logs ----");
            System.err.println(cluster.logs());
        }
    }
}
