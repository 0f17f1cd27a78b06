package org.gtstore.metadata.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FollowerStreaksTest {
    @Test
    void aFollowerThatWentSilentStartsItsStreakAgain() {
        // Goal: meta1 answers throughout; meta3 is silent for a while (it restarted) and then
        // answers again: meta1's streak runs from the first sample, meta3's from its return.
        FollowerStreaks s = new FollowerStreaks(600);
        s.observe(Map.of("meta1", 50L, "meta3", 40L), 1_000);
        s.observe(Map.of("meta1", 60L, "meta3", 900L), 2_000);
        s.observe(Map.of("meta1", 30L, "meta3", 2_000L), 3_000);
        s.observe(Map.of("meta1", 20L, "meta3", 10L), 4_000);
        s.observe(Map.of("meta1", 20L, "meta3", 10L), 5_000);
        assertEquals(4_000, s.streakMs("meta1", 5_000));
        assertEquals(2_000, s.streakMs("meta3", 5_000), "since its last silent sample");
        assertEquals(0, s.streakMs("meta9", 5_000), "never sampled");
    }

    @Test
    void aFollowerLeavingTheSamplesIsForgottenAndANewLeadershipStartsOver() {
        FollowerStreaks s = new FollowerStreaks(600);
        s.observe(Map.of("meta1", 50L, "meta2", 40L), 1_000);
        s.observe(Map.of("meta1", 50L), 2_000);
        assertEquals(0, s.streakMs("meta2", 3_000), "removed from the group");
        s.observe(Map.of("meta1", 50L, "meta2", 40L), 3_000);
        assertEquals(0, s.streakMs("meta2", 3_000), "back: a new streak");
        s.clear();
        assertEquals(0, s.streakMs("meta1", 4_000));
    }
}
