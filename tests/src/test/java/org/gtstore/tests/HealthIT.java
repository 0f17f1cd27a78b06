package org.gtstore.tests;

import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.tests.support.ClusterExtension;
import org.gtstore.tests.support.HostCommands;
import org.gtstore.tests.support.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The standard gRPC health service on every port: every data server and metadata member says
 * SERVING in a running cluster; while every metadata member is paused (SIGSTOP) the data
 * servers' leases lapse and they say NOT_SERVING, and SERVING again once the members go on.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HealthIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(3, 2);

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void dataServersAreNotServingWhileTheirLeaseLapsed() {
        TestCluster c = CLUSTER.cluster();
        List<ManagedChannel> servers = new ArrayList<>();
        List<ManagedChannel> members = new ArrayList<>();
        try {
            for (String id : c.launcher().serverIds()) {
                servers.add(channel(c.launcher().serverAddress(id)));
            }
            for (String address : c.metadataAddresses()) {
                members.add(channel(address));
            }
            awaitAll(servers, ServingStatus.SERVING, "every data server serving");
            awaitAll(members, ServingStatus.SERVING, "every metadata member serving");
            signalMetadata(c, "-STOP");
            try {
                awaitAll(servers, ServingStatus.NOT_SERVING, "leases lapsed");
            } finally {
                signalMetadata(c, "-CONT");
            }
            awaitAll(servers, ServingStatus.SERVING, "serving again");
        } finally {
            servers.forEach(ManagedChannel::shutdownNow);
            members.forEach(ManagedChannel::shutdownNow);
        }
    }

    private static void signalMetadata(TestCluster c, String signal) {
        for (String id : c.launcher().metadataIds()) {
            HostCommands.must("kill", signal, Long.toString(c.launcher().pid(id)));
        }
    }

    private static void awaitAll(List<ManagedChannel> channels, ServingStatus want,
            String what) {
        await(what).atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() ->
                channels.stream().allMatch(ch -> status(ch) == want));
    }

    private static ServingStatus status(ManagedChannel ch) {
        try {
            return HealthGrpc.newBlockingStub(ch).withDeadlineAfter(1, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus();
        } catch (RuntimeException e) {
            return ServingStatus.UNKNOWN;
        }
    }

    private static ManagedChannel channel(String address) {
        return NettyChannelBuilder.forTarget(address).usePlaintext().build();
    }
}
