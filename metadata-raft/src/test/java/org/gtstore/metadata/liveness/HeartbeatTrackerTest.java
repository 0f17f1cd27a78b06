package org.gtstore.metadata.liveness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.metadata.model.ServerEntry;
import org.gtstore.proto.ServerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Soft liveness state on fake time: grace after leadership, timeout, incarnations. */
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
    void steppingDownForgetsAndStopsJudging() {
        tracker.startGrace();
        clock.advanceMs(5000);
        tracker.stop();
        assertTrue(tracker.expired(List.of(s1)).isEmpty());
    }
}
