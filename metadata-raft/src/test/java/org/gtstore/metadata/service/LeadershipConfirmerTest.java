package org.gtstore.metadata.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class LeadershipConfirmerTest {

    private final List<CompletableFuture<Boolean>> rounds = new ArrayList<>();
    private final LeadershipConfirmer confirmer = new LeadershipConfirmer(() -> {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        rounds.add(f);
        return f;
    }, 60_000, 0);

    @Test
    void aCallDuringARoundWaitsForTheNextOneAndCallersShareIt() {
        CompletableFuture<Boolean> first = confirmer.confirm(System.nanoTime());
        CompletableFuture<Boolean> second = confirmer.confirm(System.nanoTime());
        CompletableFuture<Boolean> third = confirmer.confirm(System.nanoTime());
        assertEquals(1, rounds.size(), "one round at a time");
        assertSame(second, third, "callers during one round share the next");
        rounds.get(0).complete(true);
        assertTrue(first.join());
        assertFalse(second.isDone(), "a round that started before the call proves nothing");
        assertEquals(2, rounds.size());
        rounds.get(1).complete(true);
        assertTrue(second.join());
        confirmer.confirm(System.nanoTime());
        assertEquals(3, rounds.size(), "idle again: a call starts a round at once");
    }

    @Test
    void aFailedRoundConfirmsNothingAndTheNextStillRuns() {
        CompletableFuture<Boolean> first = confirmer.confirm(System.nanoTime());
        CompletableFuture<Boolean> second = confirmer.confirm(System.nanoTime());
        rounds.get(0).completeExceptionally(new IllegalStateException("not leader"));
        assertFalse(first.join());
        rounds.get(1).complete(false);
        assertFalse(second.join());
    }

    @Test
    void hurryStartsTheRoundWaitingForItsGapAndDropsTheGap() {
        List<CompletableFuture<Boolean>> spacedRounds = new ArrayList<>();
        LeadershipConfirmer spaced = new LeadershipConfirmer(() -> {
            CompletableFuture<Boolean> f = new CompletableFuture<>();
            spacedRounds.add(f);
            return f;
        }, 60_000, 60_000);
        spaced.confirm(System.nanoTime());                                  // the first round starts at once
        CompletableFuture<Boolean> waiting = spaced.confirm(System.nanoTime());
        spacedRounds.get(0).complete(true);
        assertEquals(1, spacedRounds.size(), "the next round waits a minute for its gap");
        spaced.hurry();
        assertEquals(2, spacedRounds.size(), "hurried, it starts now");
        spacedRounds.get(1).complete(true);
        assertTrue(waiting.join());
        spaced.confirm(System.nanoTime());
        assertEquals(3, spacedRounds.size(), "no gap any more");
    }

    @Test
    void aRoundWithoutAnAnswerTimesOut() {
        LeadershipConfirmer quick = new LeadershipConfirmer(CompletableFuture::new, 50, 0);
        assertFalse(quick.confirm(System.nanoTime()).join());
    }

    @Test
    void roundStartsAreSpacedByTheGap() {
        List<Long> starts = new ArrayList<>();
        LeadershipConfirmer spaced = new LeadershipConfirmer(() -> {
            starts.add(System.nanoTime());
            return CompletableFuture.completedFuture(true);
        }, 1000, 100);
        for (int i = 0; i < 3; i++) {
            assertTrue(spaced.confirm(System.nanoTime()).join());
        }
        assertEquals(3, starts.size());
        for (int i = 1; i < starts.size(); i++) {
            long gapMs = (starts.get(i) - starts.get(i - 1)) / 1_000_000;
            assertTrue(gapMs >= 99, "rounds " + gapMs + " ms apart");
        }
    }

    @Test
    void aRoundThatThrowsConfirmsNothing() {
        LeadershipConfirmer broken = new LeadershipConfirmer(() -> {
            throw new IllegalStateException("closed");
        }, 50, 0);
        assertFalse(broken.confirm(System.nanoTime()).join());
        assertFalse(broken.confirm(System.nanoTime()).join());
    }

    @Test
    void aCommitProposedAfterTheCallAnswersItAndSavesTheRoundWaitingForItsGap() throws Exception {
        List<CompletableFuture<Boolean>> spacedRounds = new ArrayList<>();
        LeadershipConfirmer spaced = new LeadershipConfirmer(() -> {
            CompletableFuture<Boolean> f = new CompletableFuture<>();
            spacedRounds.add(f);
            return f;
        }, 60_000, 200);
        CompletableFuture<Boolean> first = spaced.confirm(System.nanoTime());
        long askedSecond = System.nanoTime();
        CompletableFuture<Boolean> second = spaced.confirm(askedSecond);
        spaced.committed(askedSecond - 1);
        assertFalse(second.isDone(), "an entry proposed before the call proves nothing about it");
        assertTrue(first.isDone() && first.join(),
                "but it answers the caller that asked before it was proposed");
        spaced.committed(System.nanoTime());
        assertTrue(second.join(), "an entry proposed after the call answers it");
        spacedRounds.get(0).complete(true);
        // The gap before a next round is 200 ms: for twice that, no second round starts.
        await("no second round").during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(5))
                .until(() -> spacedRounds.size() == 1);
    }

    @Test
    void aCallerThatAskedBeforeAnAlreadyCommittedProposalIsAnsweredAtOnce() {
        long asked = System.nanoTime();
        confirmer.committed(asked + 1);
        assertTrue(confirmer.confirm(asked).join());
        assertTrue(rounds.isEmpty(), "no round needed");
        assertFalse(confirmer.confirm(asked + 2).isDone(), "a later caller needs a new proof");
        assertEquals(1, rounds.size());
    }
}
