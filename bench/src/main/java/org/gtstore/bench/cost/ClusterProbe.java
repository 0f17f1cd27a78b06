package org.gtstore.bench.cost;

import java.util.List;
import java.util.Map;

/**
 * Asks a cluster which processes it runs and what its data servers have sent. It lives here as
 * an interface so that tests can measure without servers.
 */
public interface ClusterProbe extends AutoCloseable {
    /**
     * The cluster's processes on this machine; {@code notes} receives one line for each member
     * that cannot be measured (another machine, no pid reported, not answering).
     */
    List<MeasuredProcess> processes(List<String> notes);

    /** The send counts of every data server that answers, by server id. */
    Map<String, ServerCounts> serverCounts();

    @Override
    void close();

    /** A probe of no cluster: only the client is measured. */
    ClusterProbe NONE = new ClusterProbe() {
        @Override
        public List<MeasuredProcess> processes(List<String> notes) {
            return List.of();
        }

        @Override
        public Map<String, ServerCounts> serverCounts() {
            return Map.of();
        }

        @Override
        public void close() {
            // Nothing to close.
        }
    };
}
