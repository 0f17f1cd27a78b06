package org.gtstore.metadata.liveness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.gtstore.metadata.model.ServerEntry;
import org.gtstore.proto.ServerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The restart grace on fake time: no grace condemns at the first refused probe; a grace starts
 * at the first refused probe of an incarnation and ends with the grace, an answered probe, or a
 * new incarnation.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RestartGraceTest {

    private final FakeClock clock = new FakeClock();
    private final RestartGrace grace = new RestartGrace(clock, 5000);
    private final ServerEntry s1 = new ServerEntry("server1", "h:1", 1, ServerState.ALIVE, "d1");
    private final ServerEntry s2 = new ServerEntry("server2", "h:2", 1, ServerState.ALIVE, "d2");

    @Test
    void withoutAGraceTheFirstRefusedProbeCondemns() {
        RestartGrace none = new RestartGrace(clock, 0);
        assertTrue(none.refused("server1", 1));
        assertTrue(none.due(List.of(s1)).isEmpty());
    }

    @Test
    void refusedProbesCondemnOnlyOnceTheGraceFromTheFirstOneIsOver() {
        assertFalse(grace.refused("server1", 1));
        clock.advanceMs(4999);
        assertFalse(grace.refused("server1", 1), "a later refusal does not restart the grace");
        assertEquals(Optional.of(4999L), grace.refusedForMs("server1", 1));
        clock.advanceMs(1);
        assertTrue(grace.refused("server1", 1));
    }

    @Test
    void dueNamesAServerOnceWhenItsGraceIsOver() {
        grace.refused("server1", 1);
        clock.advanceMs(1000);
        grace.refused("server2", 1);
        clock.advanceMs(3999);
        assertTrue(grace.due(List.of(s1, s2)).isEmpty());
        clock.advanceMs(1);
        assertEquals(List.of(s1), grace.due(List.of(s1, s2)));
        assertTrue(grace.due(List.of(s1, s2)).isEmpty(), "named twice");
        clock.advanceMs(1000);
        assertEquals(List.of(s2), grace.due(List.of(s1, s2)));
    }

    @Test
    void anAnsweredProbeEndsTheGrace() {
        grace.refused("server1", 1);
        clock.advanceMs(3000);
        grace.forget("server1", 1);
        assertEquals(Optional.empty(), grace.refusedForMs("server1", 1));
        clock.advanceMs(3000);
        assertTrue(grace.due(List.of(s1)).isEmpty());
        assertFalse(grace.refused("server1", 1), "a new refusal starts a new grace");
    }

    @Test
    void aNewIncarnationEndsTheGraceOfTheOldOne() {
        grace.refused("server1", 1);
        clock.advanceMs(6000);
        ServerEntry reborn = new ServerEntry("server1", "h:1", 2, ServerState.ALIVE, "d1");
        assertTrue(grace.due(List.of(reborn)).isEmpty());
        assertEquals(Optional.empty(), grace.refusedForMs("server1", 1));
        grace.forget("server1", 2);
        assertFalse(grace.refused("server1", 2), "the new incarnation gets its own grace");
    }

    @Test
    void aServerNoLongerLiveIsDropped() {
        grace.refused("server1", 1);
        clock.advanceMs(6000);
        assertTrue(grace.due(List.of(s2)).isEmpty());
        assertEquals(Optional.empty(), grace.refusedForMs("server1", 1));
    }

    @Test
    void aNewLeaderStartsEveryGraceAgain() {
        grace.refused("server1", 1);
        clock.advanceMs(6000);
        grace.clear();
        assertFalse(grace.refused("server1", 1));
    }

    @Test
    void rejectsANegativeGrace() {
        assertThrows(IllegalArgumentException.class, () -> new RestartGrace(clock, -1));
    }
}
