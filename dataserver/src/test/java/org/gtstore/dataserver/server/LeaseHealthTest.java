package org.gtstore.dataserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gtstore.proto.DataServiceGrpc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The data server's health follows its lease, overall and for the DataService. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LeaseHealthTest {
    @Test
    void servingExactlyWhileTheLeaseIsValidAndNeverAfterClose() throws Exception {
        AtomicBoolean valid = new AtomicBoolean();
        LeaseHealth health = new LeaseHealth(now -> valid.get());
        String name = InProcessServerBuilder.generateName();
        Server server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(health.service()).build().start();
        ManagedChannel ch = InProcessChannelBuilder.forName(name).directExecutor().build();
        try {
            HealthGrpc.HealthBlockingStub stub = HealthGrpc.newBlockingStub(ch);
            assertEquals(ServingStatus.NOT_SERVING, status(stub, ""), "not registered yet");
            valid.set(true);
            health.check();
            assertEquals(ServingStatus.SERVING, status(stub, ""));
            assertEquals(ServingStatus.SERVING, status(stub, DataServiceGrpc.SERVICE_NAME));
            valid.set(false);
            health.check();
            assertEquals(ServingStatus.NOT_SERVING, status(stub, DataServiceGrpc.SERVICE_NAME),
                    "the lease lapsed");
            valid.set(true);
            health.close();
            health.check();
            assertEquals(ServingStatus.NOT_SERVING, status(stub, ""), "stopping");
        } finally {
            ch.shutdownNow();
            server.shutdownNow();
        }
    }

    private static ServingStatus status(HealthGrpc.HealthBlockingStub stub, String service) {
        return stub.check(HealthCheckRequest.newBuilder().setService(service).build())
                .getStatus();
    }
}
