package org.gtstore.dataserver.rpc;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;
import org.gtstore.proto.ClientBatch;
import org.gtstore.proto.Committed;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.OpReply;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.ReplyBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's {@code Session} stream on the server side: batches of puts and gets in, batches
 * of answers out. Each arriving {@link ClientBatch} goes to the driver's queue in one piece
 * (one queue insertion and one wake-up for the whole batch); the driver answers operations
 * through {@link Op} handles and sends Committed replies of the session's client here (the
 * {@link ClientSessions} registry finds it by client id), which only buffer, and calls
 * {@link #flush()} once per pass of its loop, so the answers of one pass leave in one message
 * and one flush.
 *
 * <p>Flow control ({@link InboundWindow}): at most {@link #BATCHES_AHEAD} batches and
 * {@link #PENDING_BYTES_MAX} bytes of the session wait for the driver, and none is read while
 * the client does not read its answers, so the answers waiting to be sent are bounded too.
 *
 * <p>Threads: {@link #onNext}, {@link #onError} and {@link #onCompleted} run on the transport
 * thread; buffering, {@link #flush()} and ending the call run on the driver thread only (the
 * half-close is handed to it through {@code driver}), so the outbound call is used by one
 * thread.
 */
public final class ClientSession implements StreamObserver<ClientBatch> {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);
    /** Batches asked for or received and not yet handled by the driver. */
    static final int BATCHES_AHEAD = 32;
    /** Bytes of received batches the driver has not handled yet, beyond which none is asked. */
    static final int PENDING_BYTES_MAX = 8 << 20;

    /** The reply handle of one operation of this session (opaque to the replica). */
    public record Op(ClientSession session, long id) {
    }

    private final String selfId;
    private final BiConsumer<ClientBatch, ClientSession> sink;
    private final ServerCallStreamObserver<ReplyBatch> responder;
    private final Executor driver;
    private final IntConsumer flushed;
    private volatile boolean closed;
    /** Answers not yet sent; driver thread only. */
    private ReplyBatch.Builder buffered;
    /** True while the driver has this session in its list to flush; driver thread only. */
    private boolean flushQueued;
    /** Runs on the driver thread when the stream ends (the registry forgets this session). */
    private Runnable onEnd = () -> { };
    private final InboundWindow window;

    /**
     * @param sink where each batch goes, with this session (normally
     *     {@link RequestSink#submitBatch})
     * @param driver the driver thread's executor
     * @param flushed told the number of replies of each message sent (driver thread), for the
     *     server's counts
     */
    public ClientSession(String selfId, BiConsumer<ClientBatch, ClientSession> sink,
            StreamObserver<ReplyBatch> responder, Executor driver, IntConsumer flushed) {
        this.selfId = selfId;
        this.sink = sink;
        this.responder = (ServerCallStreamObserver<ReplyBatch>) responder;
        this.driver = driver;
        this.flushed = flushed;
        this.responder.setOnCancelHandler(() -> {
            closed = true;
            driver.execute(() -> onEnd.run());
        });
        this.window = new InboundWindow(this.responder, BATCHES_AHEAD, PENDING_BYTES_MAX);
    }

    @Override
    public void onNext(ClientBatch batch) {
        if (batch.getOpsCount() > 0 || !batch.getClientIdBytes().isEmpty()) {
            window.received(batch.getSerializedSize());
            sink.accept(batch, this);
        } else {
            window.dropped();
        }
    }

    /** The driver handled {@code batch} of this session (driver thread). */
    public void handled(ClientBatch batch) {
        window.handled(batch.getSerializedSize());
    }

    @Override
    public void onError(Throwable t) {
        closed = true;
        window.close();
        driver.execute(() -> onEnd.run());
    }

    @Override
    public void onCompleted() {
        driver.execute(() -> {
            flush();
            onEnd.run();
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

    /** What to run when the stream ends (driver thread). */
    void onEnd(Runnable r) {
        this.onEnd = r;
    }

    boolean isClosed() {
        return closed;
    }

    /** The handle the driver hands the replica for operation {@code id} of this session. */
    public Op op(long id) {
        return new Op(this, id);
    }

    /** Buffers the answer to put {@code id} (driver thread). */
    public void answerPut(long id, PutResponse response) {
        add(OpReply.newBuilder().setId(id).setPut(response).build());
    }

    /** Buffers the answer to get {@code id} (driver thread). */
    public void answerGet(long id, GetResponse response) {
        add(OpReply.newBuilder().setId(id).setGet(response).build());
    }

    /** Buffers a Committed reply for the session's client (driver thread). */
    public void committed(Committed committed) {
        add(OpReply.newBuilder().setCommitted(committed).build());
    }

    /** Buffers the notice that this session now takes Committed replies (driver thread). */
    void registered() {
        buffer().setRegistered(true);
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
            flushed.accept(b.getRepliesCount());
        } catch (StatusRuntimeException e) {
            closed = true;
            LOG.debug("[{}] session gone before its replies: {}", selfId, e.getStatus());
            return;
        }
        window.topUp();
    }

    private void add(OpReply reply) {
        buffer().addReplies(reply);
    }

    private ReplyBatch.Builder buffer() {
        if (buffered == null) {
            buffered = ReplyBatch.newBuilder();
        }
        return buffered;
    }
}
