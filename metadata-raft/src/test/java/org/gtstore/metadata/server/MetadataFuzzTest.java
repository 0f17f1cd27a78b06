package org.gtstore.metadata.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.util.ExitUtils;
import org.gtstore.proto.CopyProgress;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetMapRequest;
import org.gtstore.proto.HeartbeatRequest;
import org.gtstore.proto.MemberStatusRequest;
import org.gtstore.proto.MetadataServiceGrpc;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.RegisterRequest;
import org.gtstore.proto.RegisterResponse;
import org.gtstore.proto.ReportCaughtUpRequest;
import org.gtstore.proto.ReportUnreachableRequest;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.proto.WatchMapRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 random and mutated requests at every RPC of a real three-member metadata group:
 * registrations, heartbeats, reports and map reads with random fields (empty and oversized
 * ids, bad addresses, random incarnations, epochs and partitions), and bytes that are no
 * message, at random members. Then every member still answers, a leader serves the map, and the
 * three registered servers are still alive in it with the chains they had (no request stops a
 * member or changes what it was not entitled to: reports name only servers never registered,
 * since a report about a registered one is a real report, and registrations use ids the test
 * never registers).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetadataFuzzTest {
    private static final int MESSAGES = 10_000;
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final MethodDescriptor.Marshaller<byte[]> RAW =
            new MethodDescriptor.Marshaller<>() {
                @Override
                public InputStream stream(byte[] value) {
                    return new ByteArrayInputStream(value);
                }

                @Override
                public byte[] parse(InputStream stream) {
                    try {
                        return stream.readAllBytes();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };

    @TempDir
    Path dir;

    private final Map<String, MetadataServer> members = new HashMap<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final Random random = new Random(20261203);

    @BeforeAll
    static void noSystemExit() {
        ExitUtils.disableSystemExit();
    }

    @AfterEach
    void stopAll() {
        channels.forEach(ManagedChannel::shutdownNow);
        members.values().forEach(MetadataServer::close);
    }

    @Test
    void randomAndMutatedRequestsStopNoMemberAndChangeNoRegisteredServer() throws Exception {
        List<PeerAddress> peers = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            peers.add(new PeerAddress("meta" + i, "127.0.0.1", freePort(), freePort()));
        }
        for (PeerAddress p : peers) {
            members.put(p.id(), MetadataServer.start(MetadataServerConfig.builder().id(p.id())
                    .peers(peers).storageDir(dir.resolve(p.id())).replication(2).partitions(16)
                    .initialServers(3).failureTimeoutMs(60_000).leaseMs(1500)
                    .heartbeatIntervalMs(250).electionTimeoutMinMs(300)
                    .electionTimeoutMaxMs(600).leaderTickMs(20).build()));
        }
        List<ManagedChannel> byMember = new ArrayList<>();
        for (PeerAddress p : peers) {
            ManagedChannel ch = NettyChannelBuilder.forTarget(p.rpcAddress()).usePlaintext()
                    .build();
            channels.add(ch);
            byMember.add(ch);
        }
        for (int i = 1; i <= 3; i++) {
            register(byMember, "server" + i);
        }
        PartitionMap before = await("assigned").atMost(WAIT).until(() -> leaderMap(byMember),
                m -> m != null && m.getChainsCount() == 16);

        for (int sent = 0; sent < MESSAGES; sent++) {
            ManagedChannel ch = byMember.get(random.nextInt(byMember.size()));
            if (random.nextInt(4) == 0) {
                sendRaw(ch, randomRequest().toByteArray(), true);
            } else if (random.nextInt(6) == 0) {
                sendRaw(ch, noise(random.nextInt(100)), false);
            } else {
                sendRaw(ch, randomRequest().toByteArray(), false);
            }
        }

        for (ManagedChannel ch : byMember) {
            assertTrue(MetadataServiceGrpc.newBlockingStub(ch).withDeadlineAfter(5,
                    TimeUnit.SECONDS).getMemberStatus(MemberStatusRequest.getDefaultInstance())
                    .getRole().length() > 0, "every member answers");
        }
        PartitionMap after = await("a leader serves the map").atMost(WAIT)
                .until(() -> leaderMap(byMember), m -> m != null);
        for (int i = 1; i <= 3; i++) {
            String id = "server" + i;
            ServerInfo s = after.getServersList().stream().filter(x -> x.getId().equals(id))
                    .findFirst().orElseThrow();
            assertEquals(ServerState.ALIVE, s.getState(), id + " in " + after);
        }
        for (int p = 0; p < 16; p++) {
            assertEquals(before.getChains(p).getReplicasList(),
                    after.getChains(p).getReplicasList(), "chain of partition " + p);
        }
    }

    private void register(List<ManagedChannel> members, String id) {
        RegisterRequest req = RegisterRequest.newBuilder().setServerId(id)
                .setAddress("127.0.0.1:" + (40_000 + id.hashCode() % 1000))
                .setStorageId("disk-" + id).setProcessId("p-" + id).build();
        await("register " + id).atMost(WAIT).until(() -> {
            for (ManagedChannel ch : members) {
                RegisterResponse r = MetadataServiceGrpc.newBlockingStub(ch)
                        .withDeadlineAfter(5, TimeUnit.SECONDS).register(req);
                if (r.getCode() == ErrorCode.OK) {
                    return true;
                }
            }
            return false;
        });
    }

    private static PartitionMap leaderMap(List<ManagedChannel> members) {
        for (ManagedChannel ch : members) {
            try {
                var r = MetadataServiceGrpc.newBlockingStub(ch).withDeadlineAfter(2,
                        TimeUnit.SECONDS).getMap(GetMapRequest.newBuilder().setFromLeader(true)
                        .build());
                if (r.getCode() == ErrorCode.OK) {
                    return r.getMap();
                }
            } catch (RuntimeException e) {
                // Not reachable now: ask the next.
            }
        }
        return null;
    }

    // ---- generators ----

    private long anyLong() {
        return switch (random.nextInt(5)) {
            case 0 -> 0;
            case 1 -> -1 - random.nextInt(1000);
            case 2 -> Long.MAX_VALUE;
            default -> random.nextInt(50);
        };
    }

    private String anyString(String prefix) {
        return switch (random.nextInt(6)) {
            case 0 -> "";
            case 1 -> "x".repeat(70_000);
            case 2 -> "\u0000\ud800" + random.nextInt();
            case 3 -> "not an address";
            default -> prefix + random.nextInt(5);
        };
    }

    /** A fuzz id: never one of the registered servers. */
    private String fuzzId() {
        String s = anyString("fz");
        return s.startsWith("server") ? "fz" + s : s;
    }

    private byte[] noise(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private MethodDescriptor<?, ?> method;

    /** A request for a random method (remembered in {@code method}). */
    private Message randomRequest() {
        switch (random.nextInt(7)) {
            case 0 -> {
                method = MetadataServiceGrpc.getRegisterMethod();
                return RegisterRequest.newBuilder().setServerId(fuzzId())
                        .setAddress(anyString("127.0.0.1:")).setStorageId(anyString("d"))
                        .setIncarnation(anyLong()).setProcessId(anyString("p"))
                        .setClusterId(anyString("c")).build();
            }
            case 1 -> {
                method = MetadataServiceGrpc.getHeartbeatMethod();
                return HeartbeatRequest.newBuilder()
                        .setServerId(random.nextBoolean() ? fuzzId() : "server1")
                        .setIncarnation(anyLong()).setMapEpoch(anyLong())
                        .addProgress(CopyProgress.newBuilder().setPartition((int) anyLong())
                                .setServerId(fuzzId()).setCopiedKeys(anyLong())
                                .setTotalKeys(anyLong())).build();
            }
            case 2 -> {
                method = MetadataServiceGrpc.getGetMapMethod();
                return GetMapRequest.newBuilder().setKnownEpoch(anyLong())
                        .setFromLeader(random.nextBoolean()).build();
            }
            case 3 -> {
                method = MetadataServiceGrpc.getWatchMapMethod();
                return WatchMapRequest.newBuilder().setFromEpoch(anyLong()).build();
            }
            case 4 -> {
                method = MetadataServiceGrpc.getReportUnreachableMethod();
                return ReportUnreachableRequest.newBuilder().setReporter(anyString("r"))
                        .setServerId(fuzzId()).setMapEpoch(anyLong())
                        .setDetail(anyString("d")).build();
            }
            case 5 -> {
                method = MetadataServiceGrpc.getReportCaughtUpMethod();
                return ReportCaughtUpRequest.newBuilder().setReporter(anyString("server"))
                        .setPartition((int) anyLong()).setServerId(fuzzId())
                        .setMapEpoch(anyLong()).setSeq(anyLong()).build();
            }
            default -> {
                method = MetadataServiceGrpc.getGetMemberStatusMethod();
                return MemberStatusRequest.getDefaultInstance();
            }
        }
    }

    /** Sends the bytes to the method of the last request, with a few bytes flipped if asked. */
    private void sendRaw(ManagedChannel channel, byte[] bytes, boolean mutate) {
        if (method == null) {
            randomRequest();
        }
        for (int i = mutate ? 1 + random.nextInt(3) : 0; i > 0 && bytes.length > 0; i--) {
            bytes[random.nextInt(bytes.length)] ^= (byte) (1 + random.nextInt(255));
        }
        MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(method.getType()).setFullMethodName(method.getFullMethodName())
                .setRequestMarshaller(RAW).setResponseMarshaller(RAW).build();
        ClientCall<byte[], byte[]> call = channel.newCall(raw,
                CallOptions.DEFAULT.withDeadlineAfter(1, TimeUnit.SECONDS));
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
            }
        }, new Metadata());
        call.request(1);
        call.sendMessage(bytes);
        call.halfClose();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
