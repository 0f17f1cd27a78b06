package org.gtstore.dataserver.server;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
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

/**
 * A minimal client of the data servers for tests, speaking the Session protocol as the client
 * library does: one registered session per server (the first batch names the client id), puts
 * sent to a head and answered either by the head (an error, or OK for a retry it already
 * applied) or by a tail's Committed reply on any session, matched by request id; gets answered
 * on their own session. A put without a client id is sent as this client's, with the next
 * request id.
 */
final class TestClient implements AutoCloseable {
    private final Function<String, ManagedChannel> channels;
    private final Supplier<Collection<String>> servers;
    private final String clientId;
    /** Shared by every test client, so two of them never send the same (client, request). */
    private static final AtomicLong NEXT_REQUEST_ID = new AtomicLong(1_000_000);
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** Puts waiting for an answer, by request id: Committed from any session completes them. */
    private final Map<Long, List<Waiting>> byRequest = new ConcurrentHashMap<>();

    private record Waiting(String head, CompletableFuture<PutResponse> answer) {
    }

    /**
     * @param channels the channel to a server by id (a restarted server: a new channel)
     * @param servers the servers running now: before each put the client makes sure it has a
     *     registered session with every one of them, as the client library does with the tail
     *     of the put's chain (a tail that does not know the client cannot answer it)
     */
    TestClient(Function<String, ManagedChannel> channels, Supplier<Collection<String>> servers,
            String clientId) {
        this.channels = channels;
        this.servers = servers;
        this.clientId = clientId;
    }

    /** Opens and registers sessions with these servers now (a tail must know the client). */
    TestClient connect(String... serverIds) throws Exception {
        for (String id : serverIds) {
            session(id);
        }
        return this;
    }

    /** Forgets the session with a server (it restarted): the next use opens a new one. */
    void forget(String serverId) {
        Session s = sessions.remove(serverId);
        if (s != null) {
            s.close();
        }
    }

    private Session session(String serverId) throws Exception {
        Session s = sessions.get(serverId);
        if (s == null) {
            s = new Session(channels.apply(serverId));
            s.registered.get(10, TimeUnit.SECONDS);
            sessions.put(serverId, s);
        }
        return s;
    }

    /**
     * The request as sent: one with neither a client id nor a request id gets this client's id
     * and a fresh request id.
     */
    PutRequest withIds(PutRequest r) {
        return r.getClientId().isEmpty() && r.getRequestId() == 0 ? r.toBuilder()
                .setClientId(clientId).setRequestId(NEXT_REQUEST_ID.getAndIncrement()).build()
                : r;
    }

    CompletableFuture<PutResponse> putAsync(String head, PutRequest request) throws Exception {
        return send(head, List.of(request), List.of()).get(0).thenApply(OpReply::getPut);
    }

    PutResponse put(String head, PutRequest request) throws Exception {
        return putAsync(head, request).get(10, TimeUnit.SECONDS);
    }

    GetResponse get(String server, GetRequest request) throws Exception {
        return send(server, List.of(), List.of(request)).get(0).thenApply(OpReply::getGet)
                .get(10, TimeUnit.SECONDS);
    }

    /**
     * Sends the puts, then the gets, in ONE batch to one server; the futures in that order.
     * A put's future completes with an OpReply holding its PutResponse (a Committed reply is
     * turned into OK naming {@code server}, as the client library does).
     */
    List<CompletableFuture<OpReply>> send(String server, List<PutRequest> puts,
            List<GetRequest> gets) throws Exception {
        if (!puts.isEmpty()) {
            for (String id : servers.get()) {
                session(id);
            }
        }
        Session s = session(server);
        List<CompletableFuture<OpReply>> out = new ArrayList<>();
        ClientBatch.Builder batch = ClientBatch.newBuilder();
        for (PutRequest p : puts) {
            PutRequest r = withIds(p);
            CompletableFuture<PutResponse> answer = new CompletableFuture<>();
            byRequest.computeIfAbsent(r.getRequestId(), k -> new ArrayList<>())
                    .add(new Waiting(server, answer));
            CompletableFuture<OpReply> op = s.expect(batch, ClientOp.newBuilder().setPut(r));
            op.thenAccept(reply -> answer.complete(reply.getPut()));
            out.add(answer.thenApply(resp -> OpReply.newBuilder().setPut(resp).build()));
        }
        for (GetRequest g : gets) {
            out.add(s.expect(batch, ClientOp.newBuilder().setGet(g)));
        }
        s.send(batch.build());
        return out;
    }

    private void committed(Committed c) {
        List<Waiting> waiting = byRequest.remove(c.getRequestId());
        if (waiting == null) {
            return;
        }
        for (Waiting w : waiting) {
            w.answer().complete(PutResponse.newBuilder().setCode(ErrorCode.OK)
                    .setServerId(w.head()).setVersion(c.getVersion()).setEpoch(c.getEpoch())
                    .build());
        }
    }

    @Override
    public void close() {
        sessions.values().forEach(Session::close);
        sessions.clear();
    }

    /** One registered Session stream. */
    private final class Session {
        final CompletableFuture<Void> registered = new CompletableFuture<>();
        private final AtomicLong nextId = new AtomicLong(1);
        private final Map<Long, CompletableFuture<OpReply>> pending = new ConcurrentHashMap<>();
        private final StreamObserver<ClientBatch> requests;

        Session(ManagedChannel channel) {
            this.requests = DataServiceGrpc.newStub(channel).session(new StreamObserver<>() {
                @Override
                public void onNext(ReplyBatch batch) {
                    if (batch.getRegistered()) {
                        registered.complete(null);
                    }
                    for (OpReply r : batch.getRepliesList()) {
                        if (r.hasCommitted()) {
                            committed(r.getCommitted());
                            continue;
                        }
                        CompletableFuture<OpReply> f = pending.remove(r.getId());
                        if (f != null) {
                            f.complete(r);
                        }
                    }
                }

                @Override
                public void onError(Throwable t) {
                    registered.completeExceptionally(t);
                    pending.values().forEach(f -> f.completeExceptionally(t));
                }

                @Override
                public void onCompleted() {
                    onError(new IllegalStateException("the server ended the session"));
                }
            });
            send(ClientBatch.newBuilder().setClientId(clientId).build());
        }

        CompletableFuture<OpReply> expect(ClientBatch.Builder batch, ClientOp.Builder op) {
            long id = nextId.getAndIncrement();
            CompletableFuture<OpReply> f = new CompletableFuture<>();
            pending.put(id, f);
            batch.addOps(op.setId(id));
            return f;
        }

        synchronized void send(ClientBatch batch) {
            requests.onNext(batch);
        }

        synchronized void close() {
            try {
                requests.onCompleted();
            } catch (RuntimeException e) {
                // Already gone.
            }
        }
    }
}
