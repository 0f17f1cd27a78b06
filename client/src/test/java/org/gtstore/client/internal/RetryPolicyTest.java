package org.gtstore.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.net.ConnectException;
import java.time.Duration;
import org.gtstore.client.internal.RetryPolicy.Action;
import org.gtstore.proto.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The retry checklist and the back-off, driven directly (no network, no clock). */
@Timeout(10)
class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(Duration.ofMillis(5),
            Duration.ofMillis(400));

    private static Failure answer(ErrorCode code) {
        return Failure.answer(code, 3, 2, "server1", "127.0.0.1:1", "");
    }

    @Test
    void staleOrMovedMapsRefreshThenRetry() {
        assertEquals(Action.REFRESH_THEN_RETRY, policy.decide(answer(ErrorCode.STALE_EPOCH)));
        assertEquals(Action.REFRESH_THEN_RETRY,
                policy.decide(answer(ErrorCode.NOT_RESPONSIBLE)));
    }

    @Test
    void serverBehindOurMapIsAskedAgainWithoutFetching() {
        // FUTURE_EPOCH: the server is fetching the map we already have.
        assertEquals(Action.RESEND_AFTER_PAUSE, policy.decide(answer(ErrorCode.FUTURE_EPOCH)));
    }

    @Test
    void serversThatCannotServeNowAreBackedOffFrom() {
        for (ErrorCode c : new ErrorCode[] {ErrorCode.UNAVAILABLE, ErrorCode.TIMEOUT,
                ErrorCode.NOT_LEADER, ErrorCode.NOT_ENOUGH_SERVERS}) {
            assertEquals(Action.BACK_OFF_THEN_RETRY, policy.decide(answer(c)), c.toString());
        }
        assertEquals(Action.BACK_OFF_THEN_RETRY, policy.decide(Failure.noRoute(1, "none")));
        assertEquals(Action.BACK_OFF_THEN_RETRY,
                policy.decide(Failure.metadata(1, new RuntimeException("down"))));
    }

    @Test
    void otherAnswersAreFatal() {
        for (ErrorCode c : new ErrorCode[] {ErrorCode.INVALID_ARGUMENT, ErrorCode.INTERNAL,
                ErrorCode.UNKNOWN_SERVER, ErrorCode.EPOCH_MISMATCH, ErrorCode.NOT_FOUND}) {
            assertEquals(Action.FAIL, policy.decide(answer(c)), c.toString());
        }
    }

    @Test
    void refusedOrTimedOutServersAreReported() {
        Failure refused = Failure.transport(Status.UNAVAILABLE
                .withCause(new ConnectException("Connection refused")).asRuntimeException(),
                1000, 2, "server1", "127.0.0.1:1");
        assertEquals(Failure.Kind.UNREACHABLE, refused.kind());
        assertEquals("server1 at 127.0.0.1:1: connection refused", refused.detail());
        assertEquals(Action.REPORT_THEN_RETRY, policy.decide(refused));

        Failure timeout = Failure.transport(Status.DEADLINE_EXCEEDED.asRuntimeException(),
                250, 2, "server1", "127.0.0.1:1");
        assertEquals("server1 at 127.0.0.1:1: no answer within 250 ms", timeout.detail());
        assertEquals(Action.REPORT_THEN_RETRY, policy.decide(timeout));
    }

    @Test
    void connectionClosedUnderAWriteIsReported() {
        // Seen after kill -9 of a tail: gRPC failed the call with "UNKNOWN: channel closed"
        // (cause ClosedChannelException), and the get failed at once instead of failing over.
        Failure closed = Failure.transport(Status.UNKNOWN.withDescription("channel closed")
                .withCause(new java.nio.channels.ClosedChannelException()).asRuntimeException(),
                1000, 2, "server1", "127.0.0.1:1");
        assertEquals(Failure.Kind.UNREACHABLE, closed.kind());
        assertEquals(Action.REPORT_THEN_RETRY, policy.decide(closed));
        Failure unknown = Failure.transport(Status.UNKNOWN.withDescription("bug")
                .asRuntimeException(), 1000, 2, "server1", "127.0.0.1:1");
        assertEquals(Action.FAIL, policy.decide(unknown));
    }

    @Test
    void transportFailuresThatRetryingCannotFixAreFatal() {
        Failure unimplemented = Failure.transport(Status.UNIMPLEMENTED.asRuntimeException(),
                1000, 2, "server1", "127.0.0.1:1");
        assertEquals(Action.FAIL, policy.decide(unimplemented));
        Failure cancelled = Failure.transport(Status.CANCELLED.asRuntimeException(),
                1000, 2, "server1", "127.0.0.1:1");
        assertEquals(Action.BACK_OFF_THEN_RETRY, policy.decide(cancelled));
    }

    @Test
    void backoffDoublesWithJitterUpToTheCap() {
        long ms = 1_000_000;
        assertEquals(2_500_000, policy.backoffNanos(0, 0.0));
        assertTrue(policy.backoffNanos(0, 0.999) <= 5 * ms);
        assertEquals(5 * ms, policy.backoffNanos(1, 0.0));
        assertEquals(10 * ms, policy.backoffNanos(2, 0.0));
        assertEquals(200 * ms, policy.backoffNanos(7, 0.0));
        assertEquals(200 * ms, policy.backoffNanos(1000, 0.0));
        assertTrue(policy.backoffNanos(1000, 0.999) <= 400 * ms);
        assertTrue(policy.backoffNanos(1000, 0.999) > 399 * ms);
    }

    @Test
    void retryStateIsImmutable() {
        RetryState s = RetryState.start(100, 1000);
        RetryState f = s.failed(answer(ErrorCode.TIMEOUT));
        RetryState b = f.backedOff();
        assertEquals(0, s.attempts());
        assertEquals(1, f.attempts());
        assertEquals(0, f.backoffs());
        assertEquals(1, b.backoffs());
        assertEquals(1100, b.deadlineNanos());
        assertEquals(ErrorCode.TIMEOUT, b.last().code());
    }
}
