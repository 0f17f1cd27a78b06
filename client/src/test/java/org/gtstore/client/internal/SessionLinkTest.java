package org.gtstore.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.ClientBatch;
import org.gtstore.proto.ClientOp;
import org.gtstore.proto.Committed;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.OpReply;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.ReplyBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client's session stream: operations coalesced into batches, answers matched by id in any
 * order, a broken stream failing every pending operation as a transport failure, and each
 * operation's own timeout. The server is scripted in-process; the test runs the sends itself
 * (a manual flush executor), so what goes in one batch is exact.
 */
@Timeout(20)
class SessionLinkTest {
    private final BlockingQueue<ClientBatch> received = new LinkedBlockingQueue<>();
    /** The batches that only name the client (the announcement), apart from the others. */
    private final BlockingQueue<ClientBatch> announced = new LinkedBlockingQueue<>();
    private final List<Committed> committed = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final BlockingQueue<StreamObserver<ReplyBatch>> sessions = new LinkedBlockingQueue<>();
    private final ArrayDeque<Runnable> flushes = new ArrayDeque<>();
    private Server server;
    private ManagedChannel channel;
    private final List<SessionLink> dead = new ArrayList<>();
    private SessionLink link;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(new DataServiceGrpc.DataServiceImplBase() {
                    @Override
                    public StreamObserver<ClientBatch> session(StreamObserver<ReplyBatch> out) {
                        sessions.add(out);
                        return new StreamObserver<>() {
                            @Override
                            public void onNext(ClientBatch b) {
                                if (b.getOpsCount() == 0 && !b.getClientId().isEmpty()) {
                                    announced.add(b);
                                } else {
                                    received.add(b);
                                }
                            }

                            @Override
                            public void onError(Throwable t) {
                            }

                            @Override
                            public void onCompleted() {
                            }
                        };
                    }
                }).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        link = new SessionLink(DataServiceGrpc.newStub(channel), flushes::add,
                ByteString.copyFromUtf8("client-a"), committed::add, dead::add);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }

    private void runFlushes() {
        while (!flushes.isEmpty()) {
            flushes.poll().run();
        }
    }

    private static PutRequest put(String key) {
        return PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).build();
    }

    private static GetRequest get(String key) {
        return GetRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).build();
    }

    @Test
    void operationsQueuedBeforeTheSendGoInOneBatchAndAnswersMatchByIdInAnyOrder()
            throws Exception {
        List<Answer<PutResponse>> puts = new ArrayList<>();
        List<Answer<GetResponse>> gets = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Answer<PutResponse> p = new Answer<>();
            Answer<GetResponse> g = new Answer<>();
            assertTrue(link.offerPut(put("k" + i), TimeUnit.SECONDS.toNanos(5), p) > 0);
            assertTrue(link.offerGet(get("k" + i), TimeUnit.SECONDS.toNanos(5), g));
            puts.add(p);
            gets.add(g);
        }
        assertEquals(1, flushes.size(), "one send scheduled for all ten operations");
        runFlushes();
        ClientBatch batch = received.poll(5, TimeUnit.SECONDS);
        assertEquals(10, batch.getOpsCount());
        assertNull(received.poll(100, TimeUnit.MILLISECONDS), "a single batch");

        // Answer in reverse order, each carrying its own key, in one reply batch.
        ReplyBatch.Builder replies = ReplyBatch.newBuilder();
        for (int i = batch.getOpsCount() - 1; i >= 0; i--) {
            ClientOp op = batch.getOps(i);
            OpReply.Builder r = OpReply.newBuilder().setId(op.getId());
            if (op.hasPut()) {
                r.setPut(PutResponse.newBuilder().setCode(ErrorCode.OK)
                        .setServerId(op.getPut().getKey().toStringUtf8()));
            } else {
                r.setGet(GetResponse.newBuilder().setCode(ErrorCode.OK)
                        .setValue(op.getGet().getKey()));
            }
            replies.addReplies(r);
        }
        sessions.take().onNext(replies.build());
        for (int i = 0; i < 5; i++) {
            assertEquals("k" + i, puts.get(i).value.get(5, TimeUnit.SECONDS).getServerId());
            assertEquals("k" + i, gets.get(i).value.get(5, TimeUnit.SECONDS).getValue()
                    .toStringUtf8());
        }
        assertEquals(0, link.pendingCount());

        // Idle again: the next operation is sent by a new send of its own.
        link.offerGet(get("again"), TimeUnit.SECONDS.toNanos(5), new Answer<>());
        assertEquals(1, flushes.size());
        runFlushes();
        assertEquals(1, received.poll(5, TimeUnit.SECONDS).getOpsCount());
    }

    @Test
    void largeQueuesAreSplitIntoBatchesOfAtMostTheCap() throws Exception {
        int n = SessionLink.BATCH_OPS_MAX + 10;
        for (int i = 0; i < n; i++) {
            link.offerGet(get("k" + i), TimeUnit.SECONDS.toNanos(5), new Answer<>());
        }
        runFlushes();
        assertEquals(SessionLink.BATCH_OPS_MAX, received.poll(5, TimeUnit.SECONDS).getOpsCount());
        assertEquals(10, received.poll(5, TimeUnit.SECONDS).getOpsCount());
    }

    @Test
    void aStreamThatBreaksMidBatchFailsEveryPendingOperationAsUnreachable() throws Exception {
        List<Answer<PutResponse>> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Answer<PutResponse> a = new Answer<>();
            link.offerPut(put("k" + i), TimeUnit.SECONDS.toNanos(5), a);
            answers.add(a);
        }
        runFlushes();
        ClientBatch batch = received.poll(5, TimeUnit.SECONDS);
        StreamObserver<ReplyBatch> out = sessions.take();
        // The first two are answered, then the stream breaks.
        out.onNext(ReplyBatch.newBuilder()
                .addReplies(OpReply.newBuilder().setId(batch.getOps(0).getId())
                        .setPut(PutResponse.newBuilder().setCode(ErrorCode.OK)))
                .addReplies(OpReply.newBuilder().setId(batch.getOps(1).getId())
                        .setPut(PutResponse.newBuilder().setCode(ErrorCode.NOT_RESPONSIBLE)))
                .build());
        out.onError(Status.UNAVAILABLE.withDescription("server killed").asRuntimeException());

        assertEquals(ErrorCode.OK, answers.get(0).value.get(5, TimeUnit.SECONDS).getCode());
        assertEquals(ErrorCode.NOT_RESPONSIBLE,
                answers.get(1).value.get(5, TimeUnit.SECONDS).getCode());
        for (int i = 2; i < 4; i++) {
            Throwable t = answers.get(i).error.get(5, TimeUnit.SECONDS);
            Failure f = Failure.transport(t, 1000, 1, "s1", "addr");
            assertEquals(Failure.Kind.UNREACHABLE, f.kind(), f.detail());
        }
        assertEquals(List.of(link), dead, "the link reports itself dead once");
        assertFalse(link.offerGet(get("x"), TimeUnit.SECONDS.toNanos(5), new Answer<>()),
                "a dead link takes nothing: the caller opens a new one");
    }

    @Test
    void anOperationNotAnsweredWithinItsTimeoutFailsWithDeadlineExceededAlone()
            throws Exception {
        Answer<GetResponse> slow = new Answer<>();
        Answer<GetResponse> patient = new Answer<>();
        link.offerGet(get("slow"), TimeUnit.MILLISECONDS.toNanos(50), slow);
        link.offerGet(get("patient"), TimeUnit.SECONDS.toNanos(60), patient);
        runFlushes();
        ClientBatch batch = received.poll(5, TimeUnit.SECONDS);

        link.expire(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100));
        Throwable t = slow.error.get(5, TimeUnit.SECONDS);
        assertEquals(Status.Code.DEADLINE_EXCEEDED, Status.fromThrowable(t).getCode());
        assertFalse(patient.value.isDone() || patient.error.isDone());

        // A late answer to the expired one is dropped; the other is still answered.
        StreamObserver<ReplyBatch> out = sessions.take();
        ReplyBatch.Builder r = ReplyBatch.newBuilder();
        for (ClientOp op : batch.getOpsList()) {
            r.addReplies(OpReply.newBuilder().setId(op.getId())
                    .setGet(GetResponse.newBuilder().setCode(ErrorCode.NOT_FOUND)));
        }
        out.onNext(r.build());
        assertEquals(ErrorCode.NOT_FOUND, patient.value.get(5, TimeUnit.SECONDS).getCode());
        assertFalse(slow.value.isDone(), "no answer after the timeout");
        assertTrue(dead.isEmpty(), "a timeout does not end the stream");
    }

    @Test
    void announcesTheClientFirstAndHandsCommittedRepliesToTheListener() throws Exception {
        // Goal: the stream opens at start with a batch naming the client; registered()
        // completes when the server says so; a Committed reply (matched by request id, not op
        // id) goes to the listener and leaves the pending operations alone.
        link.start();
        runFlushes();
        assertEquals("client-a", announced.poll(5, TimeUnit.SECONDS).getClientId());
        assertFalse(link.registered().isDone());
        StreamObserver<ReplyBatch> out = sessions.take();
        out.onNext(ReplyBatch.newBuilder().setRegistered(true).build());
        link.registered().get(5, TimeUnit.SECONDS);

        Answer<PutResponse> p = new Answer<>();
        long id = link.offerPut(put("k"), TimeUnit.SECONDS.toNanos(5), p);
        runFlushes();
        assertEquals(1, received.poll(5, TimeUnit.SECONDS).getOpsCount());
        out.onNext(ReplyBatch.newBuilder().addReplies(OpReply.newBuilder().setCommitted(
                Committed.newBuilder().setRequestId(77).setVersion(3))).build());
        assertEquals(77, committed.get(0).getRequestId());
        assertEquals(1, link.pendingCount(), "the put on this link still waits");
        link.forget(id);
        assertEquals(0, link.pendingCount(), "forgotten once answered elsewhere");
    }

    @Test
    void aLinkThatDiesBeforeRegisteringFailsItsRegistration() throws Exception {
        link.start();
        runFlushes();
        sessions.take().onError(Status.UNAVAILABLE.asRuntimeException());
        CompletableFuture<Void> r = link.registered();
        Throwable t = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class,
                () -> r.get(5, TimeUnit.SECONDS)).getCause();
        assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(t).getCode());
    }

    /** Collects the one answer or failure an operation gets. */
    private static final class Answer<T> implements StreamObserver<T> {
        final CompletableFuture<T> value = new CompletableFuture<>();
        final CompletableFuture<Throwable> error = new CompletableFuture<>();

        @Override
        public void onNext(T v) {
            assertFalse(value.isDone() || error.isDone(), "answered twice");
            value.complete(v);
        }

        @Override
        public void onError(Throwable t) {
            assertFalse(value.isDone() || error.isDone(), "answered twice");
            error.complete(t);
        }

        @Override
        public void onCompleted() {
        }
    }
}
