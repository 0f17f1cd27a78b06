package org.gtstore.client.internal;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.gtstore.proto.Committed;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.DataServiceGrpc.DataServiceStub;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived channel per data server address, shared by every request to that server, and
 * on it one {@link SessionLink} (a {@code Session} stream) that carries the puts and gets.
 * Channels and links to addresses that leave the map are closed once their pending operations
 * are answered. A sweep every {@link #SWEEP_INTERVAL_MS} ms fails the operations whose own
 * timeout passed, on those closing links too: a server declared dead while it runs (paused,
 * cut off) may keep its stream open and answer nothing.
 *
 * <p>A put goes to its chain's head and is answered by its tail (the chain replication paper's
 * rule): before the put is sent, the session with the tail must be registered (so the tail
 * knows where this client is), while the head's session opens at the same time; then the
 * put's answer is whichever comes first: the tail's Committed reply (on any session, matched
 * by request id) or the head's own answer on the head's session (a refusal, or OK for a retry
 * of a write it already applied).
 */
public final class DataChannels implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DataChannels.class);

    private final Function<String, ManagedChannel> channelFactory;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Map<String, DataServiceStub> stubs = new ConcurrentHashMap<>();
    private final Map<String, SessionLink> links = new ConcurrentHashMap<>();
    /**
     * Links to addresses that left the map, until their stream ends: their pending operations
     * still time out in the sweep (the server may neither answer nor close the stream).
     */
    private final Set<SessionLink> retiring = ConcurrentHashMap.newKeySet();
    /** Puts sent and not answered yet, by request id (unique per client instance). */
    private final Map<Long, PutAttempt> awaitingCommit = new ConcurrentHashMap<>();
    private final ByteString clientId;
    private final Executor flushExecutor;
    private final ScheduledFuture<?> sweep;
    private volatile boolean closed;

    /** How often operations on the sessions are checked for their timeout. */
    static final long SWEEP_INTERVAL_MS = 5;

    /**
     * @param clientId this client instance, announced on every session
     * @param flushExecutor where session batches are sent: the event loop of the channels
     *     (operations queued while it is busy go in one batch), or {@code Runnable::run}
     * @param scheduler runs the timeout sweep
     */
    public DataChannels(Function<String, ManagedChannel> channelFactory, String clientId,
            Executor flushExecutor, ScheduledExecutorService scheduler) {
        this.channelFactory = channelFactory;
        this.clientId = ByteString.copyFromUtf8(clientId);
        this.flushExecutor = flushExecutor;
        this.sweep = scheduler.scheduleWithFixedDelay(this::expire, SWEEP_INTERVAL_MS,
                SWEEP_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Sends a put to its chain's head, once the session with its tail is registered; the
     * observer gets the first answer (the tail's Committed reply as OK with an empty server
     * id, or the head's answer) or a failure: the session with either broke, or no answer came
     * within {@code timeoutNanos}.
     */
    public void put(String headAddress, String tailAddress, PutRequest request,
            long timeoutNanos, StreamObserver<PutResponse> out) {
        long deadline = System.nanoTime() + timeoutNanos;
        PutAttempt attempt = new PutAttempt(request.getRequestId(), out);
        SessionLink tail = link(tailAddress);
        CompletableFuture<Void> registered = tail.registered();
        if (registered.isDone() && !registered.isCompletedExceptionally()) {
            sendPut(attempt, headAddress, request, timeoutNanos);
            return;
        }
        // Open the head's session too while the tail registers, rather than after: on a
        // client's first put the two connections are then made at the same time.
        link(headAddress);
        registered.copy().orTimeout(timeoutNanos, TimeUnit.NANOSECONDS).whenComplete((v, e) -> {
            Throwable err = e instanceof CompletionException && e.getCause() != null
                    ? e.getCause() : e;
            if (err != null) {
                attempt.onError(err instanceof TimeoutException
                        ? Status.DEADLINE_EXCEEDED.withDescription("the tail " + tailAddress
                                + " did not register the session in time").asRuntimeException()
                        : err);
                return;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                attempt.onError(Status.DEADLINE_EXCEEDED.withDescription(
                        "no time left after the tail registered the session")
                        .asRuntimeException());
                return;
            }
            sendPut(attempt, headAddress, request, left);
        });
    }

    private void sendPut(PutAttempt attempt, String headAddress, PutRequest request,
            long timeoutNanos) {
        awaitingCommit.put(attempt.requestId, attempt);
        while (true) {
            SessionLink head = link(headAddress);
            long id = head.offerPut(request, timeoutNanos, attempt);
            if (id >= 0) {
                attempt.sentOn(head, id);
                return;
            }
            Thread.onSpinWait();   // a dead link is being replaced
        }
    }

    /** A Committed reply from some tail: it answers the put of that request, if one waits. */
    private void committed(Committed c) {
        PutAttempt attempt = awaitingCommit.remove(c.getRequestId());
        if (attempt != null) {
            attempt.answer(PutResponse.newBuilder().setCode(ErrorCode.OK)
                    .setVersion(c.getVersion()).setEpoch(c.getEpoch()).build());
        }
    }

    /**
     * One attempt of a put: answered once, by the tail's Committed reply or by the head's
     * session (an answer or a failure), whichever comes first.
     */
    private final class PutAttempt implements StreamObserver<PutResponse> {
        final long requestId;
        private final StreamObserver<PutResponse> out;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile SessionLink head;
        private volatile long opId = -1;

        PutAttempt(long requestId, StreamObserver<PutResponse> out) {
            this.requestId = requestId;
            this.out = out;
        }

        void sentOn(SessionLink link, long id) {
            head = link;
            opId = id;
            if (done.get()) {
                link.forget(id);   // the Committed reply came before the send returned
            }
        }

        /** The tail's answer: the head's session will not answer this attempt any more. */
        void answer(PutResponse r) {
            if (done.compareAndSet(false, true)) {
                SessionLink link = head;
                if (link != null) {
                    link.forget(opId);
                }
                out.onNext(r);
            }
        }

        @Override
        public void onNext(PutResponse r) {
            if (done.compareAndSet(false, true)) {
                awaitingCommit.remove(requestId, this);
                out.onNext(r);
            }
        }

        @Override
        public void onError(Throwable t) {
            if (done.compareAndSet(false, true)) {
                awaitingCommit.remove(requestId, this);
                out.onError(t);
            }
        }

        @Override
        public void onCompleted() {
        }
    }

    /** Sends a get on the address's session; the observer gets its answer or failure. */
    public void get(String address, GetRequest request, long timeoutNanos,
            StreamObserver<GetResponse> out) {
        while (!link(address).offerGet(request, timeoutNanos, out)) {
            Thread.onSpinWait();
        }
    }

    private SessionLink link(String address) {
        SessionLink l = links.get(address);
        if (l != null) {
            return l;
        }
        DataServiceStub s = stub(address);
        SessionLink[] made = new SessionLink[1];
        SessionLink link = links.computeIfAbsent(address, a -> made[0] = new SessionLink(s,
                flushExecutor, clientId, this::committed, dead -> {
                    links.remove(a, dead);
                    retiring.remove(dead);
                }));
        if (link == made[0]) {
            link.start();
        }
        return link;
    }

    private void expire() {
        long now = System.nanoTime();
        for (SessionLink l : links.values()) {
            l.expire(now);
        }
        for (SessionLink l : retiring) {
            l.expire(now);
        }
        retiring.removeIf(SessionLink::isDead);
    }

    /** The stub for an address, opening its channel on first use. */
    public DataServiceStub stub(String address) {
        DataServiceStub s = stubs.get(address);
        if (s != null) {
            return s;
        }
        if (closed) {
            throw new IllegalStateException("client is closed");
        }
        return stubs.computeIfAbsent(address, a -> DataServiceGrpc.newStub(
                channels.computeIfAbsent(a, channelFactory)));
    }

    /**
     * Makes a channel that failed to connect try again at once on its next call, rather than
     * after gRPC's reconnect back-off (which grows to minutes): a server restarted at the same
     * address is then reached at once.
     */
    public void resetBackoff(String address) {
        ManagedChannel ch = channels.get(address);
        if (ch != null) {
            ch.resetConnectBackoff();
        }
    }

    /** Closes the channels to every address not in the given set. */
    public void retainOnly(Set<String> addresses) {
        for (String a : channels.keySet()) {
            if (!addresses.contains(a)) {
                SessionLink l = links.remove(a);
                if (l != null) {
                    retiring.add(l);
                    l.retire();
                }
                stubs.remove(a);
                ManagedChannel ch = channels.remove(a);
                if (ch != null) {
                    LOG.debug("closing the channel to {}: no longer in the map", a);
                    ch.shutdown();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        sweep.cancel(false);
        for (SessionLink l : links.values()) {
            l.close();
        }
        for (SessionLink l : retiring) {
            l.close();
        }
        links.clear();
        retiring.clear();
        stubs.clear();
        for (ManagedChannel ch : channels.values()) {
            Channels.closeNow(ch);
        }
        channels.clear();
    }
}
