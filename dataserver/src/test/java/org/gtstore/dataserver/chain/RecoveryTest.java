package org.gtstore.dataserver.chain;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The rules of {@link Recovery}: when a replica may serve, feed and write what it holds. */
class RecoveryTest {
    private static final ChainPosition HEAD =
            new ChainPosition(true, true, false, null, "b", false);
    private static final ChainPosition MIDDLE_AFTER_A =
            new ChainPosition(true, false, false, "a", "c", false);
    private static final ChainPosition MIDDLE_AFTER_D =
            new ChainPosition(true, false, false, "d", "c", false);
    private static final ChainPosition JOINING =
            new ChainPosition(false, false, false, "a", null, false);
    private static final ChainPosition TAIL_AFTER_A =
            new ChainPosition(true, false, true, "a", null, false);

    @Test
    void aRestartedSuccessorServesOnceItAppliedWhatItsPredecessorHeldWithNoHold() {
        Recovery r = new Recovery();
        assertFalse(r.start(MIDDLE_AFTER_A, true, false));
        assertFalse(r.readable());
        assertFalse(r.mayFeed());
        assertFalse(r.endIfDone(1_000, 0), "no hello yet: nothing says how far to go");
        r.predecessorHeld(50, 40);
        assertFalse(r.endIfDone(40, 0));
        assertFalse(r.endIfDone(50, 45), "a copy still fills holes");
        assertTrue(r.endIfDone(50, 0));
        assertTrue(r.readable());
        assertTrue(r.mayFeed());
        assertFalse(r.endIfDone(60, 0), "recovery ends once");
    }

    @Test
    void aNewPredecessorWhileRecoveringIsWaitedForAgain() {
        Recovery r = new Recovery();
        r.start(MIDDLE_AFTER_A, true, false);
        r.predecessorHeld(10, 0);
        r.positionChanged(MIDDLE_AFTER_A, MIDDLE_AFTER_D, true, false);
        assertFalse(r.endIfDone(10, 0), "what the old predecessor held says nothing of d");
        r.predecessorHeld(20, 10);
        assertFalse(r.endIfDone(19, 0));
        assertTrue(r.endIfDone(20, 0));
    }

    @Test
    void aJoiningReplicaMadeTheTailReadsOnlyOnceItHasWhatTheOldTailHeld() {
        Recovery r = new Recovery();
        assertFalse(r.start(JOINING, false, false));
        r.positionChanged(JOINING, TAIL_AFTER_A, true, false);
        assertFalse(r.readable());
        r.liftReadBarrier(1_000);
        assertFalse(r.readable(), "the old tail's hello is still awaited");
        r.predecessorHeld(30, 20);
        assertFalse(r.readable());
        r.liftReadBarrier(30);
        assertTrue(r.readable());
        assertTrue(r.mayFeed(), "the barrier holds reads back, not forwarding");
    }

    @Test
    void aJoiningReplicaMadeTheTailThatAlreadyHasEverythingReadsAtTheHello() {
        Recovery r = new Recovery();
        r.start(JOINING, false, false);
        r.positionChanged(JOINING, TAIL_AFTER_A, true, false);
        r.predecessorHeld(30, 30);
        assertTrue(r.readable());
    }

    @Test
    void aRestartedHeadOpensABranchAndServes() {
        Recovery r = new Recovery();
        assertTrue(r.start(HEAD, true, false));
        assertTrue(r.readable());
        assertFalse(new Recovery().start(HEAD, false, false), "a fresh head keeps its branch");
    }

    @Test
    void theHeadOfASettlingChainWaitsAndThenWritesOnABranchOfItsOwn() {
        Recovery r = new Recovery();
        assertFalse(r.start(HEAD, true, true));
        assertTrue(r.settleWait());
        assertFalse(r.readable());
        assertFalse(r.mayFeed());
        assertTrue(r.positionChanged(HEAD, HEAD, true, false), "settled ahead: a new writer");
        assertFalse(r.settleWait());
        assertTrue(r.readable());
    }

    @Test
    void aHeadSettledBehindAnotherReplicaRecoversFromIt() {
        Recovery r = new Recovery();
        r.start(HEAD, true, true);
        assertFalse(r.positionChanged(HEAD, MIDDLE_AFTER_A, true, false));
        assertFalse(r.settleWait());
        assertTrue(r.recovering());
        assertFalse(r.endIfDone(1_000, 0));
        r.predecessorHeld(7, 5);
        assertTrue(r.endIfDone(7, 0));
    }

    @Test
    void aReplicaMadeHeadWhileRecoveringAsksTheChainToSettle() {
        Recovery r = new Recovery();
        r.start(MIDDLE_AFTER_A, true, false);
        ChainPosition head = new ChainPosition(true, true, false, null, "c", false);
        assertFalse(r.positionChanged(MIDDLE_AFTER_A, head, true, false), "no writes yet");
        assertTrue(r.settleAsked());
        assertTrue(r.settleWait());
        assertFalse(r.recovering());
        assertFalse(r.mayFeed());
        assertFalse(r.positionChanged(head, head, false, false), "asks until the chain settles");
        assertTrue(r.settleAsked());
        assertFalse(r.positionChanged(head, head, true, true), "the metadata marks it settling");
        assertFalse(r.settleAsked());
        assertTrue(r.settleWait());
        assertTrue(r.positionChanged(head, head, true, false), "settled ahead: it writes");
        assertTrue(r.readable());
    }

    @Test
    void aPromotedHeadOpensABranch() {
        Recovery r = new Recovery();
        r.start(MIDDLE_AFTER_A, false, false);
        assertTrue(r.positionChanged(MIDDLE_AFTER_A, HEAD, true, false));
        assertTrue(r.readable());
    }
}
