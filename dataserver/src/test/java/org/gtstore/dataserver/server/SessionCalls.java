package org.gtstore.dataserver.server;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.gtstore.proto.ClientBatch;
import org.gtstore.proto.ClientOp;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.OpReply;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.ReplyBatch;

/**
 * One client {@code Session} stream to one data server for a test: puts and gets in, each
 * answered through its own future, matched by the operation id as the client library does.
 */
final class SessionCalls implements AutoCloseable {
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<Long, CompletableFuture<OpReply>> pending = new ConcurrentHashMap<>();
    private final StreamObserver<ClientBatch> requests;

    SessionCalls(ManagedChannel channel) {
        this.requests = DataServiceGrpc.newStub(channel).session(new StreamObserver<>() {
            @Override
            public void onNext(ReplyBatch batch) {
                for (OpReply r : batch.getRepliesList()) {
                    CompletableFuture<OpReply> f = pending.remove(r.getId());
                    if (f != null) {
                        f.complete(r);
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                pending.values().forEach(f -> f.completeExceptionally(t));
            }

            @Override
            public void onCompleted() {
                onError(new IllegalStateException("the server ended the session"));
            }
        });
    }

    CompletableFuture<PutResponse> putAsync(PutRequest request) {
        return send(ClientOp.newBuilder().setPut(request)).thenApply(OpReply::getPut);
    }

    PutResponse put(PutRequest request) throws Exception {
        return putAsync(request).get(10, TimeUnit.SECONDS);
    }

    GetResponse get(GetRequest request) throws Exception {
        return send(ClientOp.newBuilder().setGet(request)).thenApply(OpReply::getGet)
                .get(10, TimeUnit.SECONDS);
    }

    private synchronized CompletableFuture<OpReply> send(ClientOp.Builder op) {
        long id = nextId.getAndIncrement();
        CompletableFuture<OpReply> f = new CompletableFuture<>();
        pending.put(id, f);
        requests.onNext(ClientBatch.newBuilder().addOps(op.setId(id)).build());
        return f;
    }

    @Override
    public synchronized void close() {
        requests.onCompleted();
    }
}
