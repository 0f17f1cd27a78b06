package org.gtstore.client.internal;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.gtstore.proto.ClientBatch;
import org.gtstore.proto.ClientOp;
import org.gtstore.proto.Committed;
import org.gtstore.proto.DataServiceGrpc.DataServiceStub;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.OpReply;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.ReplyBatch;

/**
 * One {@code Session} stream to one data server, carrying every put and get the client sends
 * it. Operations are coalesced adaptively: the first one queued schedules a send on the
 * {@code flushExecutor} (the channel's event loop), and everything queued until that send runs
 * goes in the same batch, so one message and one flush carry what a pass of the event loop
 * produced, with no waiting when the link is idle. Batches hold at most {@link #BATCH_OPS_MAX}
 * operations.
 *
 * <p>The link opens its stream as soon as it is made, with a first batch naming the client
 * instance ({@code client_id}): the server registers the session and says so
 * ({@link #registered()} completes), and from then on, as the tail of a partition, it sends
 * this client's Committed replies here. Those are handed to {@code onCommitted}, whichever put
 * they answer (the put went to the head, on another link).
 *
 * <p>Each operation is answered exactly as its unary call would be: its observer gets the
 * server's response ({@code onNext}), or a transport failure ({@code onError}) when the stream
 * breaks or ends (every operation pending on it fails; the next operation opens a new stream
 * on a new link) or when it is not answered within its own timeout ({@code DEADLINE_EXCEEDED},
 * found by {@link #expire}; a late answer is dropped).
 *
 * <p>Threads: {@link #offer} from any thread; sends from one thread at a time (the one that
 * set {@code sending}); answers and stream failures on the transport thread. Observers are
 * never called with the lock held.
 */
final class SessionLink {
    /** The most operations in one batch message. */
    static final int BATCH_OPS_MAX = 256;

    private record Pending(boolean put, StreamObserver<?> observer, long deadlineNanos) {
    }

    private final DataServiceStub stub;
    private final Executor flushExecutor;
    private final ByteString clientId;
    private final Consumer<Committed> onCommitted;
    private final Consumer<SessionLink> onDead;
    private final CompletableFuture<Void> registered = new CompletableFuture<>();
    private final Runnable flushTask = this::flush;
    private final Object lock = new Object();
    // Guarded by lock.
    private final Map<Long, Pending> pending = new HashMap<>();
    private List<ClientOp> queued = new ArrayList<>();
    private boolean sending;
    private boolean announced;
    private boolean dead;
    private boolean retired;
    private long nextId = 1;
    // Written by the sending thread, read by any (volatile for cancel).
    private volatile ClientCallStreamObserver<ClientBatch> stream;

    /**
     * @param stub the server's stub (no deadline: the stream lives as long as the link)
     * @param flushExecutor where batches are sent; the channel's event loop, or
     *     {@code Runnable::run} to send at once from the offering thread
     * @param clientId the client instance, announced in the first batch
     * @param onCommitted gets every Committed reply the server sends on this session
     * @param onDead told once when the link can take no more operations
     */
    SessionLink(DataServiceStub stub, Executor flushExecutor, ByteString clientId,
            Consumer<Committed> onCommitted, Consumer<SessionLink> onDead) {
        this.stub = stub;
        this.flushExecutor = flushExecutor;
        this.clientId = clientId;
        this.onCommitted = onCommitted;
        this.onDead = onDead;
    }

    /** Opens the stream and announces the client (the first batch), without waiting. */
    void start() {
        synchronized (lock) {
            if (sending || dead) {
                return;
            }
            sending = true;
        }
        flushExecutor.execute(flushTask);
    }

    /**
     * Completes once the server has registered this session for the client's Committed
     * replies; fails when the link dies first.
     */
    CompletableFuture<Void> registered() {
        return registered;
    }

    /**
     * Queues a put; its operation id (to {@link #forget} it), or -1 if the link is dead
     * (nothing was queued: use a new link).
     */
    long offerPut(PutRequest request, long timeoutNanos, StreamObserver<PutResponse> out) {
        return offer(true, request, null, timeoutNanos, out);
    }

    /** Queues a get; false if the link is dead (nothing was queued: use a new link). */
    boolean offerGet(GetRequest request, long timeoutNanos, StreamObserver<GetResponse> out) {
        return offer(false, null, request, timeoutNanos, out) >= 0;
    }

    /** The operation was answered elsewhere (a Committed reply): its answer here is dropped. */
    void forget(long id) {
        boolean idle;
        synchronized (lock) {
            pending.remove(id);
            idle = retired && pending.isEmpty();
        }
        if (idle) {
            cancel("the server left the map");
        }
    }

    private long offer(boolean put, PutRequest p, GetRequest g, long timeoutNanos,
            StreamObserver<?> out) {
        long deadline = System.nanoTime() + timeoutNanos;
        boolean schedule;
        long id;
        synchronized (lock) {
            if (dead || retired) {
                return -1;
            }
            id = nextId++;
            pending.put(id, new Pending(put, out, deadline));
            ClientOp.Builder op = ClientOp.newBuilder().setId(id);
            queued.add(put ? op.setPut(p).build() : op.setGet(g).build());
            schedule = !sending;
            sending = true;
        }
        if (schedule) {
            flushExecutor.execute(flushTask);
        }
        return id;
    }

    /** Sends everything queued, in batches; one thread at a time (the one that set sending). */
    private void flush() {
        while (true) {
            List<ClientOp> ops;
            boolean announce;
            synchronized (lock) {
                announce = !announced;
                if (dead || (queued.isEmpty() && !announce)) {
                    sending = false;
                    queued.clear();
                    return;
                }
                announced = true;
                ops = queued;
                queued = new ArrayList<>();
            }
            ClientCallStreamObserver<ClientBatch> s = stream;
            if (s == null) {
                s = open();
            }
            try {
                if (announce) {
                    s.onNext(ClientBatch.newBuilder().setClientIdBytes(clientId).build());
                }
                for (int from = 0; from < ops.size(); from += BATCH_OPS_MAX) {
                    int to = Math.min(ops.size(), from + BATCH_OPS_MAX);
                    s.onNext(ClientBatch.newBuilder().addAllOps(ops.subList(from, to)).build());
                }
            } catch (IllegalStateException e) {
                // The call was cancelled under us (the client is closing).
                broken(Status.CANCELLED.withDescription("the session was cancelled")
                        .withCause(e).asRuntimeException());
            }
        }
    }

    private ClientCallStreamObserver<ClientBatch> open() {
        ClientCallStreamObserver<ClientBatch>[] opened = newArray();
        stub.session(new ClientResponseObserver<ClientBatch, ReplyBatch>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<ClientBatch> requestStream) {
                opened[0] = requestStream;
                stream = requestStream;
            }

            @Override
            public void onNext(ReplyBatch batch) {
                answered(batch);
            }

            @Override
            public void onError(Throwable t) {
                broken(t);
            }

            @Override
            public void onCompleted() {
                broken(Status.UNAVAILABLE.withDescription("the server ended the session")
                        .asRuntimeException());
            }
        });
        return opened[0];
    }

    @SuppressWarnings("unchecked")
    private static ClientCallStreamObserver<ClientBatch>[] newArray() {
        return new ClientCallStreamObserver[1];
    }

    @SuppressWarnings("unchecked")
    private void answered(ReplyBatch batch) {
        if (batch.getRegistered()) {
            registered.complete(null);
        }
        int n = batch.getRepliesCount();
        Pending[] matched = new Pending[n];
        boolean idle;
        synchronized (lock) {
            for (int i = 0; i < n; i++) {
                OpReply r = batch.getReplies(i);
                if (!r.hasCommitted()) {
                    matched[i] = pending.remove(r.getId());
                }
            }
            idle = retired && pending.isEmpty();
        }
        for (int i = 0; i < n; i++) {
            OpReply r = batch.getReplies(i);
            if (r.hasCommitted()) {
                onCommitted.accept(r.getCommitted());
                continue;
            }
            Pending p = matched[i];
            if (p == null) {
                continue;   // timed out or answered elsewhere already: dropped
            }
            if (p.put()) {
                ((StreamObserver<PutResponse>) p.observer()).onNext(r.getPut());
            } else {
                ((StreamObserver<GetResponse>) p.observer()).onNext(r.getGet());
            }
        }
        if (idle) {
            cancel("the server left the map");
        }
    }

    /** The stream failed or ended: every pending operation fails with the same cause. */
    private void broken(Throwable t) {
        List<Pending> failed;
        boolean first;
        synchronized (lock) {
            first = !dead;
            dead = true;
            failed = new ArrayList<>(pending.values());
            pending.clear();
            queued.clear();
        }
        if (first) {
            registered.completeExceptionally(t);
            onDead.accept(this);
        }
        for (Pending p : failed) {
            p.observer().onError(t);
        }
    }

    /** Fails every operation whose timeout has passed with DEADLINE_EXCEEDED. */
    void expire(long nowNanos) {
        List<Pending> expired = null;
        boolean idle;
        synchronized (lock) {
            if (pending.isEmpty()) {
                return;
            }
            for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if (nowNanos - p.deadlineNanos() >= 0) {
                    it.remove();
                    if (expired == null) {
                        expired = new ArrayList<>();
                    }
                    expired.add(p);
                }
            }
            idle = retired && pending.isEmpty();
        }
        if (expired != null) {
            for (Pending p : expired) {
                p.observer().onError(Status.DEADLINE_EXCEEDED
                        .withDescription("no answer on the session in time").asRuntimeException());
            }
        }
        if (idle) {
            cancel("the server left the map");
        }
    }

    /**
     * Takes no more operations; the stream is cancelled once the pending ones are answered or
     * expired (at once when none are pending).
     */
    void retire() {
        boolean idle;
        synchronized (lock) {
            retired = true;
            idle = pending.isEmpty();
        }
        if (idle) {
            cancel("the server left the map");
        }
    }

    /** Cancels the stream: every pending operation fails (CANCELLED). */
    void close() {
        cancel("the client is closing");
        broken(Status.CANCELLED.withDescription("the client is closing").asRuntimeException());
    }

    private void cancel(String why) {
        ClientCallStreamObserver<ClientBatch> s = stream;
        if (s != null) {
            s.cancel(why, null);
        }
    }

    /** True once the stream broke or ended: the link takes and answers nothing more. */
    boolean isDead() {
        synchronized (lock) {
            return dead;
        }
    }

    /** Operations sent or queued and not yet answered (for tests). */
    int pendingCount() {
        synchronized (lock) {
            return pending.size();
        }
    }
}
