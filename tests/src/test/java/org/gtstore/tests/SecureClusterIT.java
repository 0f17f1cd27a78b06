package org.gtstore.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.gtstore.client.GtStoreClient;
import org.gtstore.gtctl.cluster.TestCertificates;
import org.gtstore.proto.ChainHello;
import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.MetadataServiceGrpc;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.RegisterRequest;
import org.gtstore.proto.TransportSecurity;
import org.gtstore.tests.support.CliResult;
import org.gtstore.tests.support.ClusterProbe;
import org.gtstore.tests.support.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clusters that admit only their own: one whose every connection (clients, chains, metadata,
 * Ratis) runs over mutual TLS with certificates {@code gtctl cluster start --tls} made, and one
 * that requires the cluster token ({@code --token}). Each serves gtctl and clients that hold
 * its files; gtctl without them, with a certificate of another CA, or with a wrong token gets
 * one line saying so (at once, but for a plaintext client, whose dropped connection looks like
 * any other and is retried to its deadline); and a rogue Register and a rogue chain stream are refused and
 * change nothing. The health service answers a probe without the token.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SecureClusterIT {
    @Test
    void aMutualTlsClusterServesOnlyClientsWithItsCertificates() throws Exception {
        try (TestCluster c = TestCluster.startSecured(3, 2, 64, true, false)) {
            try {
                servesItsOwn(c);
                String meta = c.metadataAddresses().get(0);
                TestCluster.runGtctl("", "get", "secure-key", "--meta", meta,
                        "--timeout-ms", "2000").assertOneErrorLine("requires TLS");
                Path other = Files.createTempDirectory("gtstore-other-ca-");
                TestCertificates.Files3 foreign = TestCertificates.write(other.resolve("tls"),
                        List.of());
                TestCluster.runGtctl("", "get", "secure-key", "--meta", meta, "--tls-ca",
                        foreign.ca().toString(), "--tls-cert", foreign.cert().toString(),
                        "--tls-key", foreign.key().toString())
                        .assertOneErrorLine("TLS handshake failed");
                TestCluster.runGtctl("", "cluster", "status", "--meta", meta)
                        .assertOneErrorLine("a cluster with TLS or a token needs");
                TransportSecurity rogue = TransportSecurity.fromFlags(foreign.ca().toString(),
                        foreign.cert().toString(), foreign.key().toString(), null);
                roguesAreRefused(c, rogue, Status.Code.UNAVAILABLE);
                roguesAreRefused(c, TransportSecurity.plaintext(), Status.Code.UNAVAILABLE);
            } catch (AssertionError | RuntimeException e) {
                System.err.println("---- member logs ----\n" + c.logs());
                throw e;
            }
        }
    }

    @Test
    void aTokenClusterServesOnlyClientsWithItsToken() throws Exception {
        try (TestCluster c = TestCluster.startSecured(3, 2, 64, false, true)) {
            try {
                servesItsOwn(c);
                String meta = c.metadataAddresses().get(0);
                TestCluster.runGtctl("", "get", "secure-key", "--meta", meta)
                        .assertOneErrorLine("requires its token");
                Path wrong = Files.createTempFile("gtstore-token-", "");
                Files.writeString(wrong, "not-this-clusters-token-at-all\n");
                TestCluster.runGtctl("", "put", "secure-key", "x", "--meta", meta,
                        "--token-file", wrong.toString())
                        .assertOneErrorLine("not this GTStore cluster's");
                Path tooShort = Files.createTempFile("gtstore-token-", "");
                Files.writeString(tooShort, "short\n");
                TestCluster.runGtctl("", "get", "secure-key", "--meta", meta,
                        "--token-file", tooShort.toString()).assertOneErrorLine("at least 16");
                roguesAreRefused(c, TransportSecurity.plaintext(),
                        Status.Code.UNAUTHENTICATED);
                assertReads(c, "secure-key", "v1");
                ManagedChannel probe = channel(c.launcher().serverAddress("server1"),
                        TransportSecurity.plaintext());
                try {
                    assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc
                            .newBlockingStub(probe).withDeadlineAfter(5, TimeUnit.SECONDS)
                            .check(HealthCheckRequest.getDefaultInstance()).getStatus(),
                            "a load balancer's health probe needs no token");
                } finally {
                    probe.shutdownNow();
                }
            } catch (AssertionError | RuntimeException e) {
                System.err.println("---- member logs ----\n" + c.logs());
                throw e;
            }
        }
    }

    /** gtctl --dir (which finds the cluster's files) and a client given them put and get. */
    private static void servesItsOwn(TestCluster c) {
        CliResult put = c.gtctl("put", "secure-key", "v1");
        assertEquals(0, put.exitCode(), put.toString());
        assertReads(c, "secure-key", "v1");
        try (GtStoreClient client = c.client(Duration.ofSeconds(10))) {
            client.put("secure-client-key", "v2");
            assertEquals("v2", client.get("secure-client-key").valueUtf8());
        }
    }

    private static void assertReads(TestCluster c, String key, String value) {
        CliResult get = c.gtctl("get", key);
        assertEquals(0, get.exitCode(), get.toString());
        assertTrue(get.line().startsWith(key + ", " + value + ", "), get.toString());
    }

    /**
     * A Register of a server nobody started, and a chain stream to a data server, made with
     * {@code rogue}'s credentials, both fail with {@code code}; the map does not change.
     */
    private static void roguesAreRefused(TestCluster c, TransportSecurity rogue,
            Status.Code code) throws Exception {
        PartitionMap before = ClusterProbe.map(c);
        ManagedChannel meta = channel(c.metadataAddresses().get(0), rogue);
        ManagedChannel data = channel(before.getServers(0).getAddress(), rogue);
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> MetadataServiceGrpc.newBlockingStub(meta)
                            .withDeadlineAfter(5, TimeUnit.SECONDS)
                            .register(RegisterRequest.newBuilder().setServerId("rogue9")
                                    .setAddress("127.0.0.1:1").setStorageId("rogue-disk")
                                    .setProcessId("rogue").build()));
            assertEquals(code, e.getStatus().getCode(), e.toString());

            CompletableFuture<Status> ended = new CompletableFuture<>();
            StreamObserver<ChainMessage> stream = DataServiceGrpc.newStub(data)
                    .withDeadlineAfter(5, TimeUnit.SECONDS).chain(new StreamObserver<>() {
                        @Override
                        public void onNext(ChainMessage m) {
                            ended.complete(Status.OK.withDescription("answered " + m));
                        }

                        @Override
                        public void onError(Throwable t) {
                            ended.complete(Status.fromThrowable(t));
                        }

                        @Override
                        public void onCompleted() {
                            ended.complete(Status.OK);
                        }
                    });
            stream.onNext(ChainMessage.newBuilder().setFrom("rogue9")
                    .setEpoch(before.getEpoch()).setHello(ChainHello.newBuilder()
                            .addPartitions(0)).build());
            Status s = ended.get(10, TimeUnit.SECONDS);
            assertEquals(code, s.getCode(), s.toString());
        } finally {
            meta.shutdownNow();
            data.shutdownNow();
        }
        PartitionMap after = ClusterProbe.map(c);
        assertEquals(before.getServersList(), after.getServersList(), "no rogue registered");
        assertEquals(before.getEpoch(), after.getEpoch(), "the map did not change");
    }

    private static ManagedChannel channel(String address, TransportSecurity security) {
        return NettyChannelBuilder.forTarget(address, security.channelCredentials())
                .intercept(security.tokenSender()).build();
    }
}
