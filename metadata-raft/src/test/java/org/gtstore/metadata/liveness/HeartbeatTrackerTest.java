package org.gtstore.metadata.liveness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.metadata.model.ServerEntry;
import org.gtstore.proto.ServerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Soft liveness state on fake time: grace after leadership, timeout, incarnations, and the
 * verdict right before a MarkDead (atomic with heartbeats).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HeartbeatTrackerTest {

    private final FakeClock clock = new FakeClock();
    private final HeartbeatTracker tracker = new HeartbeatTracker(clock, 2000);
    private final ServerEntry s1 = new ServerEntry("server1", "h:1", 1, ServerState.ALIVE, "d1");
    private final ServerEntry s2 = new ServerEntry("server2", "h:2", 1, ServerState.ALIVE, "d2");

    @Test
    void judgesNobodyBeforeBecomingLeader() {
        clock.advanceMs(60_000);
        assertTrue(tracker.expired(List.of(s1, s2)).isEmpty());
    }

    @Test
    void newLeaderGivesEveryServerAFullGracePeriod() {
        clock.advanceMs(60_000);
        tracker.startGrace();
        clock.advanceMs(2000);
        assertTrue(tracker.expired(List.of(s1, s2)).isEmpty(), "judged within the grace");
        clock.advanceMs(1);
        assertEquals(List.of(s1, s2), tracker.expired(List.of(s1, s2)));
    }

    @Test
    void aFormingGraceJudgesNobodyBySilenceUntilItEnds() {
        tracker.startGrace();
        tracker.heartbeat("server1", 1);
        tracker.graceFor(10_000);
        clock.advanceMs(5_000);
        tracker.graceFor(1_000);     // ends before the one running: changes nothing
        clock.advanceMs(5_000);
        assertTrue(tracker.expired(List.of(s1, s2)).isEmpty(), "judged within the grace");
        assertFalse(tracker.condemnIfSilent(s2));
        clock.advanceMs(1);
        assertEquals(List.of(s1, s2), tracker.expired(List.of(s1, s2)));
    }

    @Test
    void serverSilentPastTheTimeoutExpiresWhileOthersHeartbeat() {
        tracker.startGrace();
        for (int i = 0; i < 10; i++) {
            clock.advanceMs(250);
            tracker.heartbeat("server2", 1);
        }
        assertEquals(List.of(s1), tracker.expired(List.of(s1, s2)));
        assertEquals(2500, tracker.silentForMs(s1));
    }

    @Test
    void heartbeatOfAnOlderIncarnationDoesNotKeepTheNewOneAlive() {
        tracker.startGrace();
        ServerEntry reborn = new ServerEntry("server1", "h:1", 2, ServerState.JOINING, "d1");
        for (int i = 0; i < 10; i++) {
            clock.advanceMs(250);
            tracker.heartbeat("server1", 1);
        }
        assertEquals(List.of(reborn), tracker.expired(List.of(reborn)));
    }

    @Test
    void verdictIsTakenAgainstTheLatestHeartbeat() {
        tracker.startGrace();
        clock.advanceMs(2100);
        List<ServerEntry> candidates = tracker.expired(List.of(s1, s2));
        assertEquals(List.of(s1, s2), candidates);
        assertTrue(tracker.heartbeat("server2", 1), "heard after the list was made");
        assertTrue(tracker.condemnIfSilent(s1));
        assertFalse(tracker.condemnIfSilent(s2));
    }

    @Test
    void condemnedIncarnationIsRefusedUntilANewOneIsHeard() {
        tracker.startGrace();
        clock.advanceMs(2100);
        assertTrue(tracker.condemnIfSilent(s1));
        assertFalse(tracker.heartbeat("server1", 1), "its MarkDead is under way");
        assertEquals(List.of(s1), tracker.expired(List.of(s1)), "still silent");
        assertEquals(2100, tracker.silentForMs(s1));
        assertTrue(tracker.condemnIfSilent(s1), "judged again next tick if not applied");
        ServerEntry reborn = new ServerEntry("server1", "h:1", 2, ServerState.JOINING, "d1");
        assertTrue(tracker.heartbeat("server1", 2), "a registration of a new incarnation");
        assertFalse(tracker.heartbeat("server1", 1), "older than the last heard");
        assertTrue(tracker.expired(List.of(reborn)).isEmpty());
    }

    @Test
    void nobodyIsCondemnedWithinTheGraceOrByAFormerLeader() {
        tracker.startGrace();
        clock.advanceMs(2000);
        assertFalse(tracker.condemnIfSilent(s1));
        assertTrue(tracker.heartbeat("server1", 1));
        tracker.stop();
        clock.advanceMs(5000);
        assertFalse(tracker.condemnIfSilent(s1));
    }

    @Test
    void steppingDownForgetsAndStopsJudging() {
        tracker.startGrace();
        clock.advanceMs(5000);
        tracker.stop();
        assertTrue(tracker.expired(List.of(s1)).isEmpty());
    }
}
