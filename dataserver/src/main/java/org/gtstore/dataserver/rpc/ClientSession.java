package org.gtstore.dataserver.rpc;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import org.gtstore.proto.ClientBatch;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.OpReply;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.ReplyBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's {@code Session} stream on the server side: batches of puts and gets in, batches
 * of answers out. Each arriving {@link ClientBatch} goes to the driver's queue in one piece
 * (one queue insertion and one wake-up for the whole batch); the driver answers each operation
 * through {@link #putReply}/{@link #getReply}, which only buffer, and calls {@link #flush()} once
 * per pass of its loop, so the answers of one pass leave in one message and one flush.
 *
 * <p>Threads: {@link #onNext}, {@link #onError} and {@link #onCompleted} run on the transport
 * thread; buffering, {@link #flush()} and ending the call run on the driver thread only (the
 * half-close is handed to it through {@code driver}), so the outbound call is used by one
 * thread.
 */
public final class ClientSession implements StreamObserver<ClientBatch> {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

    private final String selfId;
    private final BiConsumer<ClientBatch, ClientSession> sink;
    private final ServerCallStreamObserver<ReplyBatch> responder;
    private final Executor driver;
    private volatile boolean closed;
    /** Answers not yet sent; driver thread only. */
    private ReplyBatch.Builder buffered;
    /** True while the driver has this session in its list to flush; driver thread only. */
    private boolean flushQueued;

    /**
     * @param sink where each batch goes, with this session (normally
     *     {@link RequestSink#submitBatch})
     * @param driver the driver thread's executor
     */
    public ClientSession(String selfId, BiConsumer<ClientBatch, ClientSession> sink,
            StreamObserver<ReplyBatch> responder,
            Executor driver) {
        this.selfId = selfId;
        this.sink = sink;
        this.responder = (ServerCallStreamObserver<ReplyBatch>) responder;
        this.driver = driver;
        this.responder.setOnCancelHandler(() -> closed = true);
    }

    @Override
    public void onNext(ClientBatch batch) {
        if (batch.getOpsCount() > 0) {
            sink.accept(batch, this);
        }
    }

    @Override
    public void onError(Throwable t) {
        closed = true;
    }

    @Override
    public void onCompleted() {
        driver.execute(() -> {
            flush();
            if (!closed) {
                closed = true;
                try {
                    responder.onCompleted();
                } catch (StatusRuntimeException e) {
                    LOG.debug("[{}] session gone before its end: {}", selfId, e.getStatus());
                }
            }
        });
    }

    /** Where the answer to put {@code id} goes (driver thread). */
    public StreamObserver<PutResponse> putReply(long id) {
        return new Reply<>(this, id, true);
    }

    /** Where the answer to get {@code id} goes (driver thread). */
    public StreamObserver<GetResponse> getReply(long id) {
        return new Reply<>(this, id, false);
    }

    /**
     * Marks this session as having answers to flush; true if it was not marked yet, so the
     * driver lists it once per pass (driver thread).
     */
    public boolean markForFlush() {
        if (flushQueued) {
            return false;
        }
        flushQueued = true;
        return true;
    }

    /** Sends the buffered answers as one message (driver thread). */
    public void flush() {
        flushQueued = false;
        ReplyBatch.Builder b = buffered;
        if (b == null) {
            return;
        }
        buffered = null;
        if (closed) {
            return;
        }
        try {
            responder.onNext(b.build());
        } catch (StatusRuntimeException e) {
            closed = true;
            LOG.debug("[{}] session gone before its replies: {}", selfId, e.getStatus());
        }
    }

    private void add(OpReply reply) {
        if (buffered == null) {
            buffered = ReplyBatch.newBuilder();
        }
        buffered.addReplies(reply);
    }

    /**
     * The answer to one operation of a session. The driver completes it like a unary call's
     * observer; it only buffers the answer in its session.
     */
    public static final class Reply<T> implements StreamObserver<T> {
        private final ClientSession session;
        private final long id;
        private final boolean put;

        private Reply(ClientSession session, long id, boolean put) {
            this.session = session;
            this.id = id;
            this.put = put;
        }

        public ClientSession session() {
            return session;
        }

        @Override
        public void onNext(T value) {
            OpReply.Builder b = OpReply.newBuilder().setId(id);
            if (put) {
                b.setPut((PutResponse) value);
            } else {
                b.setGet((GetResponse) value);
            }
            session.add(b.build());
        }

        @Override
        public void onError(Throwable t) {
            // Answers are always values: a failure is a reply with an error code.
        }

        @Override
        public void onCompleted() {
        }
    }
}
