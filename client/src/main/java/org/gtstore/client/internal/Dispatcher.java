package org.gtstore.client.internal;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.gtstore.client.GetResult;
import org.gtstore.client.GtStoreException;
import org.gtstore.client.InvalidRequestException;
import org.gtstore.client.MetadataUnavailableException;
import org.gtstore.client.OperationFailedException;
import org.gtstore.client.ConditionalResult;
import org.gtstore.client.PutResult;
import org.gtstore.client.internal.RouteTable.Route;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.ScanRequest;
import org.gtstore.proto.ScanResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries each operation to the right data server and through its retries, without blocking a
 * thread: an attempt is sent from whichever thread is current (the caller's, a network thread
 * or the back-off scheduler) and its answer is handled on the network thread.
 *
 * <pre>
 *   attempt --route by cached map--> head (put/delete) or tail (get)
 *      |  OK                      -> complete
 *      |  failure -> RetryPolicy: REFRESH_THEN_RETRY | RESEND_AFTER_PAUSE
 *      |                          | REPORT_THEN_RETRY | BACK_OFF_THEN_RETRY | FAIL
 *      '-- past the deadline      -> OperationFailedException with the last failure
 * </pre>
 *
 * <p>Attempts travel on the server's session stream ({@link DataChannels}, {@link SessionLink}),
 * which answers each one as the unary call would: a response, or a transport failure (the
 * stream broke, or no answer within the attempt's timeout).
 *
 * <p>Every attempt of a put carries the same (client id, request id). Retry state is an
 * immutable {@link RetryState} handed from step to step.
 */
public final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /** An attempt with less time than this left before the deadline is not sent. */
    private static final long ATTEMPT_NANOS_MIN = TimeUnit.MILLISECONDS.toNanos(1);

    /** The client id as sent: encoded once, not once per put. */
    private final ByteString clientIdBytes;
    private final MapCache maps;
    private final DataChannels channels;
    private final UnreachableReporter reporter;
    private final RetryPolicy policy;
    private final ScheduledExecutorService scheduler;
    private final long requestTimeoutNanos;
    private final long deadlineNanos;
    private volatile boolean closed;

    private final ReadResults readResults;

    public Dispatcher(ClientConfig config, MapCache maps, DataChannels channels,
            UnreachableReporter reporter, ScheduledExecutorService scheduler,
            ReadResults readResults) {
        this.readResults = readResults;
        this.clientIdBytes = ByteString.copyFromUtf8(config.clientId());
        this.maps = maps;
        this.channels = channels;
        this.reporter = reporter;
        this.policy = new RetryPolicy(config.backoffInitial(), config.backoffMax());
        this.scheduler = scheduler;
        this.requestTimeoutNanos = config.requestTimeout().toNanos();
        this.deadlineNanos = config.deadline().toNanos();
    }

    /** Runs a put or delete. */
    public CompletableFuture<PutResult> write(Operation op) {
        return writeConditional(op).thenApply(ConditionalResult::write);
    }

    /**
     * Runs a put or delete that may be conditional: a CONFLICT answer completes it (nothing was
     * written; the head answered with the committed version), it is not retried.
     */
    public CompletableFuture<ConditionalResult> writeConditional(Operation op) {
        Call<ConditionalResult> call = new WriteCall(op);
        attempt(call, RetryState.start(System.nanoTime(), deadlineNanos));
        return call.result;
    }

    /**
     * Reads one page of one partition at its tail ({@code request}'s epoch, chain epoch and
     * partition are filled in per attempt), retried like a get.
     */
    public CompletableFuture<ScanResponse> scan(ScanRequest request) {
        Call<ScanResponse> call = new ScanCall(request);
        attempt(call, RetryState.start(System.nanoTime(), deadlineNanos));
        return call.result;
    }

    /** The partition count of the current map, fetching one first if there is none. */
    public CompletableFuture<Integer> partitions() {
        RouteTable table = maps.current();
        return table != null ? CompletableFuture.completedFuture(table.partitions())
                : maps.refresh(1).thenApply(RouteTable::partitions);
    }

    /** Runs a get. */
    public CompletableFuture<GetResult> read(Operation op) {
        Call<GetResult> call = new ReadCall(op);
        attempt(call, RetryState.start(System.nanoTime(), deadlineNanos));
        return call.result;
    }

    /** Fails every later step of every operation. */
    public void close() {
        closed = true;
    }

    /** Where one attempt goes. */
    private record Target(long mapEpoch, Route route, String serverId, String address,
            long timeoutNanos) {
    }

    /** One operation's result and how to send one attempt of it. */
    private abstract static class Call<T> {
        final Operation op;
        final CompletableFuture<T> result = new CompletableFuture<>();

        Call(Operation op) {
            this.op = op;
        }

        abstract void send(Target target, RetryState state);

        /** The partition the call goes to: its key's, unless the call names one. */
        int partition(RouteTable table) {
            return table.partitionOf(op.key());
        }
    }

    private void attempt(Call<?> call, RetryState state) {
        if (closed) {
            call.result.completeExceptionally(new GtStoreException("the client is closed"));
            return;
        }
        long remaining = state.remainingNanos(System.nanoTime());
        if (remaining < ATTEMPT_NANOS_MIN) {
            failDeadline(call, state);   // too little time left for an answer to arrive
            return;
        }
        RouteTable table = maps.current();
        if (table == null) {
            firstMapThenAttempt(call, state);
            return;
        }
        int partition = call.partition(table);
        Route route = table.route(partition);
        if (route == null) {
            blocked(call, state, Failure.noRoute(table.epoch(), "the map (epoch "
                    + table.epoch() + ") has no chain for partition " + partition
                    + " yet: is the cluster still starting? (gtctl cluster status)"));
            return;
        }
        if (!route.available()) {
            blocked(call, state, Failure.noRoute(table.epoch(), "partition " + partition
                    + " has no live replica (last: " + String.join(",", route.lastReplicas())
                    + ")"));
            return;
        }
        boolean write = call.op.type().write();
        String serverId = write ? route.head() : route.tail();
        String address = write ? route.headAddress() : route.tailAddress();
        if (address == null) {
            blocked(call, state, Failure.noRoute(table.epoch(), serverId + " of partition "
                    + partition + " has no address in the map (epoch " + table.epoch() + ")"));
            return;
        }
        long timeoutNanos = Math.min(requestTimeoutNanos, remaining);
        Target target = new Target(table.epoch(), route, serverId, address, timeoutNanos);
        try {
            call.send(target, state);
        } catch (IllegalStateException e) {
            call.result.completeExceptionally(new GtStoreException("the client is closed",
                    null, e));
        }
    }

    /** An attempt that reached a server and failed. */
    private void failed(Call<?> call, RetryState state, Failure failure) {
        RetryState next = state.failed(failure);
        RetryPolicy.Action action = policy.decide(failure);
        LOG.debug("{} attempt {} failed: {} -> {}", call.op.describe(), next.attempts(),
                failure.detail(), action);
        switch (action) {
            case REFRESH_THEN_RETRY -> {
                if (failure.serverEpoch() > failure.mapEpoch()) {
                    awaitEpochThenAttempt(call, next, failure.serverEpoch());
                } else {
                    // The server is not ahead of us: there is no known newer map to fetch.
                    backOffThen(call, next, s -> pollThenAttempt(call, s));
                }
            }
            case RESEND_AFTER_PAUSE -> backOffThen(call, next, s -> attempt(call, s));
            case REPORT_THEN_RETRY -> reportThenAttempt(call, next);
            case BACK_OFF_THEN_RETRY -> backOffThen(call, next, s -> pollThenAttempt(call, s));
            case FAIL -> failFatal(call, next);
            default -> throw new IllegalStateException("unexpected action: " + action);
        }
    }

    /**
     * An attempt that got no answer. If it ran out of time only because the operation's
     * deadline cut its timeout short, the operation has failed at its deadline, and the
     * failure before it (a server's answer, say) is the more useful one to report.
     */
    private void transportFailed(Call<?> call, RetryState state, Throwable t, Target target) {
        boolean cutShort = target.timeoutNanos() < requestTimeoutNanos
                && Status.fromThrowable(t).getCode() == Status.Code.DEADLINE_EXCEEDED;
        if (cutShort && state.last() != null) {
            failDeadline(call, state.attemptedAtDeadline());
            return;
        }
        failed(call, state, transport(t, target));
    }

    /** An attempt that could not be sent: the map gives no server to ask. */
    private void blocked(Call<?> call, RetryState state, Failure failure) {
        RetryState next = state.blocked(failure);
        LOG.debug("{} cannot be sent: {}", call.op.describe(), failure.detail());
        backOffThen(call, next, s -> pollThenAttempt(call, s));
    }

    /**
     * No map yet: fetch one. If no member answers, retry after a back-off until the deadline,
     * unless every member refused the connection: then nothing runs there, and the operation
     * fails at once with that message.
     */
    private void firstMapThenAttempt(Call<?> call, RetryState state) {
        maps.refresh(1).whenComplete((table, err) -> {
            if (err == null) {
                attempt(call, state);
                return;
            }
            Throwable cause = unwrap(err);
            if (cause instanceof MetadataUnavailableException m && m.refused()) {
                call.result.completeExceptionally(m);
                return;
            }
            RetryState next = state.blocked(Failure.metadata(0, cause));
            LOG.debug("{}: no map yet: {}", call.op.describe(), cause.getMessage());
            backOffThen(call, next, s -> attempt(call, s));
        });
    }

    /**
     * Fetches until the cached map is at least {@code epoch} (known to exist: a server or the
     * leader named it), backing off between fetches, then attempts. A fetch can return an
     * older map when the member asked has not applied that epoch yet.
     */
    private void awaitEpochThenAttempt(Call<?> call, RetryState state, long epoch) {
        maps.refresh(epoch).whenComplete((table, err) -> {
            if (err == null && table.epoch() >= epoch) {
                attempt(call, state);
                return;
            }
            RetryState next = err == null ? state
                    : state.blocked(Failure.metadata(mapEpoch(), unwrap(err)));
            backOffThen(call, next, s -> awaitEpochThenAttempt(call, s, epoch));
        });
    }

    /** Asks whether the map moved on (one call), then attempts with whatever map is cached. */
    private void pollThenAttempt(Call<?> call, RetryState state) {
        maps.poll().whenComplete((table, err) -> {
            if (err != null) {
                LOG.debug("{}: map poll failed, keeping epoch {}: {}", call.op.describe(),
                        mapEpoch(), unwrap(err).getMessage());
            }
            attempt(call, state);
        });
    }

    private void reportThenAttempt(Call<?> call, RetryState state) {
        Failure f = state.last();
        channels.resetBackoff(f.address());
        if (mapEpoch() > f.mapEpoch()) {
            attempt(call, state);  // The map moved on since this attempt was routed.
            return;
        }
        reporter.report(f.serverId(), f.mapEpoch(), f.detail()).whenComplete((epoch, err) -> {
            if (err != null) {
                RetryState next = state.blocked(Failure.metadata(f.mapEpoch(), unwrap(err)));
                backOffThen(call, next, s -> pollThenAttempt(call, s));
            } else if (epoch > f.mapEpoch()) {
                awaitEpochThenAttempt(call, state, epoch);
            } else {
                // Not marked dead (the leader's probe timed out): it may be alive behind a
                // partition, and the leader waits out its lease. Retry it after a back-off.
                backOffThen(call, state, s -> pollThenAttempt(call, s));
            }
        });
    }

    private void backOffThen(Call<?> call, RetryState state, Consumer<RetryState> next) {
        long delay = policy.backoffNanos(state.backoffs(),
                ThreadLocalRandom.current().nextDouble());
        if (delay >= state.remainingNanos(System.nanoTime())) {
            failDeadline(call, state);
            return;
        }
        RetryState after = state.backedOff();
        try {
            scheduler.schedule(() -> next.accept(after), delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            call.result.completeExceptionally(new GtStoreException("the client is closed",
                    null, e));
        }
    }

    private void failDeadline(Call<?> call, RetryState state) {
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - state.startNanos());
        long deadlineMs = TimeUnit.NANOSECONDS.toMillis(state.deadlineNanos()
                - state.startNanos());
        Failure last = state.last();
        String lastText = last == null ? "none" : last.detail();
        if (maps.current() == null) {
            call.result.completeExceptionally(new MetadataUnavailableException(
                    call.op.describe() + " failed: no partition map within " + deadlineMs
                            + " ms; last error: " + lastText));
            return;
        }
        String message = call.op.describe() + partitionText(call) + " failed after "
                + state.attempts() + " attempt(s) in " + elapsedMs + " ms (deadline "
                + deadlineMs + " ms); last error: " + lastText
                + (call.op.type().write() && state.attempts() > 0
                        ? " (outcome unknown: the write may have been applied)" : "");
        call.result.completeExceptionally(new OperationFailedException(message,
                last == null ? null : last.code(), null));
    }

    private long mapEpoch() {
        RouteTable t = maps.current();
        return t == null ? 0 : t.epoch();
    }

    private void failFatal(Call<?> call, RetryState state) {
        Failure last = state.last();
        String message = call.op.describe() + partitionText(call) + " failed: "
                + last.detail();
        call.result.completeExceptionally(last.code() == ErrorCode.INVALID_ARGUMENT
                ? new InvalidRequestException(message)
                : new GtStoreException(message, last.code()));
    }

    private String partitionText(Call<?> call) {
        RouteTable t = maps.current();
        int p = t == null ? -1 : t.partitionOf(call.op.key());
        return p < 0 ? "" : " (partition " + p + ")";
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** 0 for the first attempt; for a retry the time since the first, at least 1 ms. */
    private static long firstAttemptAgeMs(RetryState state) {
        if (state.attempts() == 0) {
            return 0;
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime()
                - state.startNanos()));
    }

    private final class WriteCall extends Call<ConditionalResult> {
        WriteCall(Operation op) {
            super(op);
        }

        @Override
        void send(Target target, RetryState state) {
            PutRequest request = PutRequest.newBuilder()
                    .setEpoch(target.mapEpoch())
                    .setChainEpoch(target.route().chainEpoch())
                    .setPartition(target.route().partition())
                    .setKey(op.key())
                    .setValue(op.value())
                    .setTombstone(op.type() == Operation.Type.DELETE)
                    .setClientIdBytes(clientIdBytes)
                    .setRequestId(op.requestId())
                    .setFirstAttemptAgeMs(firstAttemptAgeMs(state))
                    .setConditional(op.conditional())
                    .setIfVersion(op.ifVersion())
                    .setTtlMs(op.ttlMs())
                    .build();
            String tail = target.route().tailAddress();
            channels.put(target.address(), tail != null ? tail : target.address(), request,
                    target.timeoutNanos(),
                    new StreamObserver<>() {
                @Override
                public void onNext(PutResponse r) {
                    if (r.getCode() == ErrorCode.OK) {
                        result.complete(ConditionalResult.written(new PutResult(
                                answeredBy(r.getServerId(), target), r.getVersion(),
                                r.getEpoch(), target.route().chain(),
                                target.route().partition()),
                                op.type() == Operation.Type.DELETE,
                                op.conditional() ? op.value().toByteArray() : null));
                    } else if (r.getCode() == ErrorCode.CONFLICT && op.conditional()) {
                        result.complete(ConditionalResult.conflict(r.getVersion(),
                                r.getVersion() == 0 ? null : r.getValue().toByteArray()));
                    } else {
                        failed(WriteCall.this, state, Failure.answer(r.getCode(), r.getEpoch(),
                                target.mapEpoch(), target.serverId(), target.address(),
                                r.getMessage()));
                    }
                }

                @Override
                public void onError(Throwable t) {
                    transportFailed(WriteCall.this, state, t, target);
                }

                @Override
                public void onCompleted() {
                }
            });
        }
    }

    private final class ReadCall extends Call<GetResult> {
        ReadCall(Operation op) {
            super(op);
        }

        @Override
        void send(Target target, RetryState state) {
            GetRequest request = GetRequest.newBuilder()
                    .setEpoch(target.mapEpoch())
                    .setChainEpoch(target.route().chainEpoch())
                    .setPartition(target.route().partition())
                    .setKey(op.key())
                    .build();
            channels.get(target.address(), request, target.timeoutNanos(),
                    new StreamObserver<>() {
                @Override
                public void onNext(GetResponse r) {
                    ErrorCode code = r.getCode();
                    if (code == ErrorCode.OK || code == ErrorCode.NOT_FOUND) {
                        result.complete(result(r, target));
                    } else {
                        failed(ReadCall.this, state, Failure.answer(code, r.getEpoch(),
                                target.mapEpoch(), target.serverId(), target.address(),
                                r.getMessage()));
                    }
                }

                @Override
                public void onError(Throwable t) {
                    transportFailed(ReadCall.this, state, t, target);
                }

                @Override
                public void onCompleted() {
                }
            });
        }

        private GetResult result(GetResponse r, Target target) {
            boolean found = r.getCode() == ErrorCode.OK;
            ByteString value = found ? r.getValue() : ByteString.EMPTY;
            return readResults.of(op.key(), found, value, answeredBy(r.getServerId(), target),
                    r.getVersion(), r.getEpoch(), target.route().chain(),
                    target.route().partition());
        }
    }

    private final class ScanCall extends Call<ScanResponse> {
        private final ScanRequest request;

        ScanCall(ScanRequest request) {
            super(new Operation(Operation.Type.SCAN, ByteString.EMPTY, ByteString.EMPTY, 0));
            this.request = request;
        }

        @Override
        int partition(RouteTable table) {
            return request.getPartition();
        }

        @Override
        void send(Target target, RetryState state) {
            ScanRequest attempt = request.toBuilder().setEpoch(target.mapEpoch())
                    .setChainEpoch(target.route().chainEpoch()).build();
            channels.stub(target.address())
                    .withDeadlineAfter(target.timeoutNanos(), TimeUnit.NANOSECONDS)
                    .scan(attempt, new StreamObserver<>() {
                        @Override
                        public void onNext(ScanResponse r) {
                            if (r.getCode() == ErrorCode.OK) {
                                result.complete(r);
                            } else {
                                failed(ScanCall.this, state, Failure.answer(r.getCode(),
                                        r.getEpoch(), target.mapEpoch(), target.serverId(),
                                        target.address(), r.getMessage()));
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            transportFailed(ScanCall.this, state, t, target);
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
        }
    }

    /** The id the server gave in its answer, else the one the map gave for the address. */
    private static String answeredBy(String answered, Target target) {
        return answered.isEmpty() ? target.serverId() : answered;
    }

    private static Failure transport(Throwable t, Target target) {
        return Failure.transport(t, TimeUnit.NANOSECONDS.toMillis(target.timeoutNanos()),
                target.mapEpoch(), target.serverId(), target.address());
    }
}
