package org.gtstore.dataserver.chain;

import static org.gtstore.dataserver.chain.ChainHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Compare-and-set at the head: decided in seq order, conflicts only with committed versions. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConditionalPutTest {

    private static PutRequest ifVersion(ChainHarness h, String key, String value, long version) {
        return h.request(key, value).setConditional(true).setIfVersion(version).build();
    }

    @Test
    void aConditionThatHoldsWritesAndOneThatFailsAnswersTheCurrentVersionAndValue() {
        ChainHarness h = ChainHarness.threeChain();
        long created = h.put("a", ifVersion(h, "k", "v1", 0));
        h.deliverAll();
        PutResponse first = h.putReply(created);
        assertEquals(ErrorCode.OK, first.getCode(), first.toString());
        long v1 = first.getVersion();

        PutResponse again = h.putReply(h.put("a", ifVersion(h, "k", "other", 0)));
        assertEquals(ErrorCode.CONFLICT, again.getCode(), "absent no more");
        assertEquals(v1, again.getVersion());
        assertEquals(bytes("v1"), again.getValue());

        long swapped = h.put("a", ifVersion(h, "k", "v2", v1));
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(swapped).getCode());
        PutResponse stale = h.putReply(h.put("a", ifVersion(h, "k", "v3", v1)));
        assertEquals(ErrorCode.CONFLICT, stale.getCode());
        assertEquals(h.putReply(swapped).getVersion(), stale.getVersion());
        assertEquals(bytes("v2"), h.stored("c", "k").value(), "the failed one wrote nothing");
    }

    @Test
    void aConflictWithAVersionNotYetCommittedWaitsUntilItIs() {
        // A conflict named a version the chain could still lose would name one that never was.
        ChainHarness h = ChainHarness.threeChain();
        long plain = h.put("a", "k", "v1");           // applied at the head, not forwarded yet
        long cas = h.put("a", ifVersion(h, "k", "x", 0));
        assertNull(h.putReply(cas), "the version it conflicts with is not committed yet");
        h.deliverAll();
        PutResponse r = h.putReply(cas);
        assertEquals(ErrorCode.CONFLICT, r.getCode(), String.valueOf(r));
        assertEquals(h.putReply(plain).getVersion(), r.getVersion());
    }

    @Test
    void putsOfTheKeyBehindACheckAreDecidedInArrivalOrder() {
        ChainHarness h = ChainHarness.threeChain();
        h.deferChecks = true;
        long cas = h.put("a", ifVersion(h, "k", "first", 0));
        long plain = h.put("a", "k", "second");
        long cas2 = h.put("a", ifVersion(h, "k", "third", 0));
        long other = h.put("a", "other", "free");
        assertNull(h.putReply(plain), "a put of the key waits behind the check");
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(other).getCode(), "other keys never wait");
        assertNull(h.putReply(cas));
        h.answerChecks();
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(cas).getCode());
        assertEquals(ErrorCode.OK, h.putReply(plain).getCode());
        assertEquals(h.putReply(cas).getVersion() + 1, h.putReply(plain).getVersion());
        PutResponse third = h.putReply(cas2);
        assertEquals(ErrorCode.CONFLICT, third.getCode(), "the plain put came first");
        assertEquals(h.putReply(plain).getVersion(), third.getVersion());
        assertEquals(bytes("second"), h.stored("c", "k").value());
    }

    @Test
    void aRetryOfAnAppliedConditionalPutIsAnsweredOkNotConflict() {
        ChainHarness h = ChainHarness.threeChain();
        PutRequest r = ifVersion(h, "k", "v1", 0).toBuilder().setClientId("c1")
                .setRequestId(7).build();
        long first = h.put("a", r);
        h.deliverAll();
        long version = h.putReply(first).getVersion();
        PutResponse retry = h.putReply(h.put("a", r.toBuilder().setFirstAttemptAgeMs(50)
                .build()));
        assertEquals(ErrorCode.OK, retry.getCode(), "dedup answers before the condition");
        assertEquals(version, retry.getVersion());
    }

    @Test
    void aDeleteIfVersionLeavesTheKeyAbsent() {
        ChainHarness h = ChainHarness.threeChain();
        long put = h.put("a", "k", "v1");
        h.deliverAll();
        long v1 = h.putReply(put).getVersion();
        long del = h.put("a", h.request("k", "").setTombstone(true).setConditional(true)
                .setIfVersion(v1).build());
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(del).getCode());
        long create = h.put("a", ifVersion(h, "k", "again", 0));
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(create).getCode(), "a deleted key is absent");
    }

    @Test
    void aChainChangeWhileACheckWaitsTellsItsPutsToRetry() {
        ChainHarness h = ChainHarness.threeChain();
        h.deferChecks = true;
        long cas = h.put("a", ifVersion(h, "k", "v", 0));
        h.setMap(2, List.of("a", "c"));
        h.answerChecks();
        h.deliverAll();
        PutResponse r = h.putReply(cas);
        assertEquals(ErrorCode.STALE_EPOCH, r.getCode(), String.valueOf(r));
        assertNull(h.stored("a", "k"), "the answer to the old check decided nothing");
    }

    @Test
    void anInvalidConditionIsRefusedAndChangesNothing() {
        ChainHarness h = ChainHarness.threeChain();
        PutResponse r = h.putReply(h.put("a", h.request("k", "v").setIfVersion(3).build()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, r.getCode());
        PutResponse neg = h.putReply(h.put("a", ifVersion(h, "k", "v", -1)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, neg.getCode());
        assertNull(h.stored("a", "k"));
    }

    @Test
    void aHeadThatLosesItsLeaseWhileACheckWaitsDecidesNothing() {
        ChainHarness h = ChainHarness.threeChain();
        h.deferChecks = true;
        long cas = h.put("a", ifVersion(h, "k", "v", 0));
        h.step(h.node("a"), new ChainEvent.LeaseChanged(false));
        h.answerChecks();
        h.deliverAll();
        assertEquals(ErrorCode.UNAVAILABLE, h.putReply(cas).getCode());
        assertNull(h.stored("a", "k"), "nothing written without a lease");
    }

    @Test
    void aCheckWithoutAnAnswerInTimeTellsItsPutsToRetry() {
        ChainHarness h = ChainHarness.threeChain();
        h.deferChecks = true;
        long cas = h.put("a", ifVersion(h, "k", "v", 0));
        long behind = h.put("a", "k", "plain");
        for (int i = 0; i < 6; i++) {
            h.tick("a");
        }
        assertEquals(ErrorCode.TIMEOUT, h.putReply(cas).getCode());
        assertEquals(ErrorCode.TIMEOUT, h.putReply(behind).getCode());
        h.answerChecks();
        h.deliverAll();
        assertNull(h.stored("a", "k"), "the late answer decided nothing");
        long again = h.put("a", ifVersion(h, "k", "v", 0));
        h.answerChecks();
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(again).getCode(), "the key is not stuck");
    }
}
