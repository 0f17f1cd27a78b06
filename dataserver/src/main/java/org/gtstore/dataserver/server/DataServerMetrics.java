package org.gtstore.dataserver.server;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import org.gtstore.dataserver.rpc.DataServiceImpl;
import org.gtstore.dataserver.rpc.GrpcChainTransport;

/**
 * The data server's state as Prometheus reads it at each scrape: requests received, chain
 * traffic, the lease, the map epoch, its partitions by role, copies it feeds and the chain lag
 * of every partition it holds (applied minus committed: updates the tail has not acknowledged).
 * Nothing here costs anything between scrapes; the lag is read on the driver's loop.
 */
final class DataServerMetrics {
    /** How long a scrape waits for the loop's answer on the chain lag. */
    private static final long LAG_WAIT_MS = 500;

    private DataServerMetrics() {
    }

    static void register(PrometheusRegistry registry, ReplicaDriver driver, LeaseSource lease,
            DataServiceImpl service, GrpcChainTransport transport) {
        CounterWithCallback.builder().name("gtstore_dataserver_requests_total")
                .help("Client requests received, by operation (a delete is a put)")
                .labelNames("op").callback(cb -> {
                    DataServiceImpl.RequestCounts n = service.requestCounts();
                    cb.call(n.puts(), "put");
                    cb.call(n.gets(), "get");
                    cb.call(n.scans(), "scan");
                }).register(registry);
        CounterWithCallback.builder().name("gtstore_dataserver_chain_messages_total")
                .help("Chain messages sent to successors and predecessors")
                .callback(cb -> cb.call(transport.sendCounts().messages())).register(registry);
        CounterWithCallback.builder().name("gtstore_dataserver_chain_updates_total")
                .help("Updates sent down the chains")
                .callback(cb -> cb.call(transport.sendCounts().updates())).register(registry);
        GaugeWithCallback.builder().name("gtstore_dataserver_lease_valid")
                .help("1 while the metadata lease is valid (the server serves), else 0")
                .callback(cb -> cb.call(lease.leaseValidAt(System.nanoTime()) ? 1 : 0))
                .register(registry);
        GaugeWithCallback.builder().name("gtstore_dataserver_map_epoch")
                .help("The epoch of the partition map the replica applied")
                .callback(cb -> cb.call(driver.epoch())).register(registry);
        GaugeWithCallback.builder().name("gtstore_dataserver_partitions")
                .help("Partitions this server holds as a chain member, and those it heads")
                .labelNames("role").callback(cb -> {
                    cb.call(driver.roles().held().size(), "member");
                    cb.call(driver.roles().headed().size(), "head");
                }).register(registry);
        GaugeWithCallback.builder().name("gtstore_dataserver_copies_in_progress")
                .help("State transfers this server is sending to joining replicas")
                .callback(cb -> cb.call(driver.copyProgress().size())).register(registry);
        GaugeWithCallback.builder().name("gtstore_dataserver_chain_lag_updates")
                .help("Per partition held: updates applied here the tail has not acknowledged")
                .labelNames("partition").callback(cb -> {
                    Map<Integer, Long> lag = driver.chainLag(LAG_WAIT_MS);
                    if (lag != null) {
                        lag.forEach((p, n) -> cb.call(n, Integer.toString(p)));
                    }
                }).register(registry);
    }
}
