package org.gtstore.dataserver.server;

import io.grpc.BindableService;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.DataServiceGrpc;

/**
 * A data server's standard gRPC health service ({@code grpc.health.v1.Health}): SERVING while
 * its metadata lease is valid, so it serves reads and writes; NOT_SERVING while the lease has
 * lapsed (not registered yet, or cut off from the metadata leader) and once it stops. A load
 * balancer or an orchestrator sees what clients see. The lease is checked every 100 ms; the
 * overall status ({@code ""}) and the DataService's own say the same.
 */
final class LeaseHealth implements AutoCloseable {
    static final long CHECK_INTERVAL_MS = 100;

    private final HealthStatusManager health = new HealthStatusManager();
    private final LeaseSource lease;
    private ScheduledFuture<?> task;
    private ServingStatus last;

    LeaseHealth(LeaseSource lease) {
        this.lease = lease;
        set(ServingStatus.NOT_SERVING);
    }

    /** The service to add to the server. */
    BindableService service() {
        return health.getHealthService();
    }

    /** Starts checking the lease on {@code exec}. */
    synchronized void start(ScheduledExecutorService exec) {
        task = exec.scheduleWithFixedDelay(this::check, 0, CHECK_INTERVAL_MS,
                TimeUnit.MILLISECONDS);
    }

    /** Sets the status from the lease as it is now. */
    synchronized void check() {
        set(lease.leaseValidAt(System.nanoTime()) ? ServingStatus.SERVING
                : ServingStatus.NOT_SERVING);
    }

    private void set(ServingStatus s) {
        if (s != last) {
            health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, s);
            health.setStatus(DataServiceGrpc.SERVICE_NAME, s);
            last = s;
        }
    }

    /** NOT_SERVING for good: the server is stopping. */
    @Override
    public synchronized void close() {
        if (task != null) {
            task.cancel(false);
        }
        health.enterTerminalState();
    }
}
