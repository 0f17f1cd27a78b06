package org.gtstore.dataserver.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.gtstore.proto.AckBatch;
import org.gtstore.proto.ChainHello;
import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.ClientBatch;
import org.gtstore.proto.ClientOp;
import org.gtstore.proto.CopyAck;
import org.gtstore.proto.CopyChunk;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.DedupEntry;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PartitionEpoch;
import org.gtstore.proto.PartitionSeq;
import org.gtstore.proto.PingRequest;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.ReplyBatch;
import org.gtstore.proto.Update;
import org.gtstore.proto.UpdateBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 random and mutated messages at every RPC of two real data servers (head and tail of
 * every partition): client sessions with requests whose fields are random (partitions, epochs,
 * ids, key and value sizes), chain messages of every kind from peers that are not in the chain
 * and with random epochs, seqs and partitions, and byte strings that are not messages at all
 * (valid messages with flipped bytes, and noise) on the session, chain, ping and stats methods.
 * Then both servers still run (a stopped driver fails {@link LocalDataServers#close}), answer a
 * ping, and a normal client reads every value written before the fuzzing and writes again
 * (DESIGN.md invariant 5). A chain message from the real predecessor is indistinguishable
 * from its own without authentication, so the forged senders are never chain members.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DataServerFuzzTest {
    private static final int PARTITIONS = 16;
    private static final KeyPartitioner PARTITIONER = new KeyPartitioner(PARTITIONS);
    private static final int MESSAGES = 10_000;
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

    private FakeMetadataService meta;
    private LocalDataServers local;
    private final Random random = new Random(20261203);

    @AfterEach
    void stopAll() throws Exception {
        if (local != null) {
            local.close();   // fails the test if a driver stopped
        }
        if (meta != null) {
            meta.close();
        }
    }

    @Test
    void randomAndMutatedMessagesAtEveryRpcStopNoServerAndChangeNoValue() throws Exception {
        meta = new FakeMetadataService(3000, 100);
        local = new LocalDataServers(dir);
        local.start("s1", meta);
        local.start("s2", meta);
        await().atMost(Duration.ofSeconds(10)).until(() -> meta.addresses.size() == 2);
        meta.publish(1, PARTITIONS, p -> List.of("s1", "s2"));
        local.awaitEpoch(Duration.ofSeconds(10), 1, "s1", "s2");
        Map<String, String> written = new LinkedHashMap<>();
        try (TestClient c = local.client("app").connect("s1", "s2")) {
            for (int i = 0; i < 50; i++) {
                written.put("k-" + i, "v-" + i);
                assertEquals(ErrorCode.OK, c.put("s1", put("k-" + i, "v-" + i, "app", i + 1))
                        .getCode());
            }
        }

        AtomicInteger answers = new AtomicInteger();
        List<StreamObserver<?>> streams = new ArrayList<>();
        for (String target : List.of("s1", "s2")) {
            ManagedChannel ch = local.channel(target);
            streams.add(DataServiceGrpc.newStub(ch).session(counting(answers)));
            streams.add(DataServiceGrpc.newStub(ch).chain(counting(answers)));
        }
        int sent = 0;
        while (sent < MESSAGES) {
            String target = random.nextBoolean() ? "s1" : "s2";
            int kind = random.nextInt(10);
            if (kind < 4) {
                whenReady(sessionStream(streams, target)).onNext(randomClientBatch());
            } else if (kind < 8) {
                whenReady(chainStream(streams, target)).onNext(randomChainMessage());
            } else {
                sendRaw(local.channel(target), randomRawBytes());
            }
            sent++;
        }
        streams.forEach(StreamObserver::onCompleted);

        for (String id : List.of("s1", "s2")) {
            assertEquals(id, DataServiceGrpc.newBlockingStub(local.channel(id))
                    .withDeadlineAfter(5, TimeUnit.SECONDS).ping(PingRequest.getDefaultInstance())
                    .getServerId());
        }
        try (TestClient c = local.client("app2").connect("s1", "s2")) {
            for (Map.Entry<String, String> e : written.entrySet()) {
                assertEquals(e.getValue(), c.get("s2", get(e.getKey())).getValue()
                        .toStringUtf8(), "value of " + e.getKey());
            }
            assertEquals(ErrorCode.OK, c.put("s1", put("after", "x", "app2", 1)).getCode());
            assertEquals("x", c.get("s2", get("after")).getValue().toStringUtf8());
        }
        assertTrue(answers.get() > 0, "the servers answered some of it");
    }

    /** The stream, once gRPC's flow control lets it take another message. */
    private static <T> StreamObserver<T> whenReady(StreamObserver<T> stream) {
        ClientCallStreamObserver<T> s = (ClientCallStreamObserver<T>) stream;
        if (!s.isReady()) {
            await("stream ready").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(1)).until(s::isReady);
        }
        return stream;
    }

    @SuppressWarnings("unchecked")
    private static StreamObserver<ClientBatch> sessionStream(List<StreamObserver<?>> s,
            String target) {
        return (StreamObserver<ClientBatch>) s.get(target.equals("s1") ? 0 : 2);
    }

    @SuppressWarnings("unchecked")
    private static StreamObserver<ChainMessage> chainStream(List<StreamObserver<?>> s,
            String target) {
        return (StreamObserver<ChainMessage>) s.get(target.equals("s1") ? 1 : 3);
    }

    private static <T> StreamObserver<T> counting(AtomicInteger answers) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                answers.incrementAndGet();
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    // ---- generators ----

    private long anyLong() {
        return switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1 -> -1 - random.nextInt(1000);
            case 2 -> Long.MAX_VALUE - random.nextInt(3);
            case 3 -> Long.MIN_VALUE;
            default -> random.nextInt(20);
        };
    }

    private int anyInt() {
        return switch (random.nextInt(5)) {
            case 0 -> -1 - random.nextInt(100);
            case 1 -> Integer.MAX_VALUE;
            default -> random.nextInt(PARTITIONS + 4);
        };
    }

    private ByteString anyBytes(String prefix) {
        return switch (random.nextInt(6)) {
            case 0 -> ByteString.EMPTY;
            case 1 -> ByteString.copyFrom(new byte[random.nextInt(20) == 0
                    ? 1_100 + random.nextInt(300_000) : 1_025 + random.nextInt(100)]);
            case 2 -> noise(1 + random.nextInt(64));
            default -> ByteString.copyFromUtf8(prefix + random.nextInt(1000));
        };
    }

    private String anyId() {
        return switch (random.nextInt(5)) {
            case 0 -> "";
            case 1 -> "c".repeat(70_000);
            case 2 -> "\u0000\uffff" + random.nextInt();
            default -> "fz" + random.nextInt(5);
        };
    }

    private ByteString noise(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return ByteString.copyFrom(b);
    }

    private ClientBatch randomClientBatch() {
        ClientBatch.Builder b = ClientBatch.newBuilder();
        if (random.nextInt(4) == 0) {
            b.setClientId(anyId());
        }
        for (int i = random.nextInt(4); i >= 0; i--) {
            ClientOp.Builder op = ClientOp.newBuilder().setId(anyLong());
            if (random.nextBoolean()) {
                op.setPut(PutRequest.newBuilder().setEpoch(anyLong()).setPartition(anyInt())
                        .setChainEpoch(anyLong()).setKey(anyBytes("fz-"))
                        .setValue(anyBytes("v")).setTombstone(random.nextInt(8) == 0)
                        .setClientId(anyId()).setRequestId(anyLong()));
            } else {
                op.setGet(GetRequest.newBuilder().setEpoch(anyLong()).setPartition(anyInt())
                        .setChainEpoch(anyLong()).setKey(anyBytes("k-")));
            }
            b.addOps(op);
        }
        return b.build();
    }

    private Update randomUpdate() {
        return Update.newBuilder().setPartition(anyInt()).setSeq(anyLong())
                .setKey(anyBytes("fz-")).setValue(anyBytes("v"))
                .setTombstone(random.nextInt(8) == 0).setClientId(anyId())
                .setRequestId(anyLong()).setCopied(random.nextBoolean()).build();
    }

    private PartitionSeq randomSeq() {
        return PartitionSeq.newBuilder().setPartition(anyInt()).setSeq(anyLong())
                .setChainEpoch(anyLong()).build();
    }

    /** Any kind of chain message, from a sender that is not in any chain. */
    private ChainMessage randomChainMessage() {
        ChainMessage.Builder m = ChainMessage.newBuilder()
                .setFrom(random.nextInt(10) == 0 ? "" : "fz" + random.nextInt(3))
                .setEpoch(anyLong());
        switch (random.nextInt(7)) {
            case 0 -> m.setHello(ChainHello.newBuilder().addPartitions(anyInt())
                    .addApplied(randomSeq()));
            case 1 -> m.setHelloReply(org.gtstore.proto.ChainHelloReply.newBuilder()
                    .addApplied(randomSeq()).addCommitted(randomSeq()));
            case 2 -> m.setUpdates(UpdateBatch.newBuilder().addUpdates(randomUpdate())
                    .addUpdates(randomUpdate()).addChainEpochs(PartitionEpoch.newBuilder()
                            .setPartition(anyInt()).setEpoch(anyLong())));
            case 3 -> m.setAcks(AckBatch.newBuilder().addCommitted(randomSeq())
                    .addAnswered(randomSeq()));
            case 4 -> m.setCopy(CopyChunk.newBuilder().setPartition(anyInt())
                    .setCopyId(anyLong()).setIndex(anyInt()).addEntries(randomUpdate())
                    .setLast(random.nextBoolean()).setSnapshotSeq(anyLong())
                    .addDedup(DedupEntry.newBuilder().setClientId(anyId())
                            .setRequestId(anyLong()).setSeq(anyLong()).setKey(anyBytes("k-")))
                    .setInVersionOrder(random.nextBoolean()).setChainEpoch(anyLong()));
            case 5 -> m.setCopyAck(CopyAck.newBuilder().setPartition(anyInt())
                    .setCopyId(anyLong()).setIndex(anyInt()).setChainEpoch(anyLong()));
            default -> m.setRejected(org.gtstore.proto.Rejection.newBuilder()
                    .setCode(ErrorCode.forNumber(random.nextInt(5)))
                    .setMessage("fz").addPartitions(anyInt()));
        }
        return m.build();
    }

    /** A valid message with flipped bytes, or noise: often not a message at all. */
    private byte[] randomRawBytes() {
        Message valid = random.nextBoolean() ? randomClientBatch() : randomChainMessage();
        byte[] b = random.nextInt(4) == 0 ? noise(1 + random.nextInt(200)).toByteArray()
                : valid.toByteArray();
        for (int i = 1 + random.nextInt(4); i > 0 && b.length > 0; i--) {
            b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
        }
        return b;
    }

    /** Sends the bytes as one message of a random method of the data service. */
    private void sendRaw(ManagedChannel channel, byte[] bytes) {
        MethodDescriptor<?, ?> target = switch (random.nextInt(4)) {
            case 0 -> DataServiceGrpc.getSessionMethod();
            case 1 -> DataServiceGrpc.getChainMethod();
            case 2 -> DataServiceGrpc.getPingMethod();
            default -> DataServiceGrpc.getGetStatsMethod();
        };
        MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(target.getType()).setFullMethodName(target.getFullMethodName())
                .setRequestMarshaller(RAW).setResponseMarshaller(RAW).build();
        ClientCall<byte[], byte[]> call = channel.newCall(raw,
                CallOptions.DEFAULT.withDeadlineAfter(2, TimeUnit.SECONDS));
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
            }
        }, new Metadata());
        call.request(1);
        call.sendMessage(bytes);
        call.halfClose();
    }

    private static PutRequest put(String key, String value, String clientId, long requestId) {
        return Requests.put(PARTITIONER, key, value, clientId, requestId);
    }

    private static GetRequest get(String key) {
        return Requests.get(PARTITIONER, key);
    }
}
