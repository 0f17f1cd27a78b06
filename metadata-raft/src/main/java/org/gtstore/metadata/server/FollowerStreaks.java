package org.gtstore.metadata.server;

import java.util.HashMap;
import java.util.Map;

/**
 * How long each follower has answered its leader without a break, as the leader sees it
 * (Ratis's time since the follower's last reply, sampled every tick). A leader hands over to
 * the follower that has answered the longest: one that came back moments ago runs a cold JVM,
 * and on a loaded machine a new leader's first moments there (its log appenders starting) can
 * outlast the election timeout, so it steps down again and the group has no leader until an
 * election. Pure: the caller supplies the samples and the clock.
 */
final class FollowerStreaks {
    private final long silentMs;
    /** When each follower was last seen silent, or first seen at all. */
    private final Map<String, Long> brokenAtMs = new HashMap<>();

    /** @param silentMs a reply older than this breaks the streak */
    FollowerStreaks(long silentMs) {
        this.silentMs = silentMs;
    }

    /** A sample: each follower's time since its last reply to this leader. */
    synchronized void observe(Map<String, Long> sinceLastReplyMs, long nowMs) {
        sinceLastReplyMs.forEach((id, since) -> {
            if (since > silentMs || !brokenAtMs.containsKey(id)) {
                brokenAtMs.put(id, nowMs);
            }
        });
        brokenAtMs.keySet().retainAll(sinceLastReplyMs.keySet());
    }

    /** How long {@code id} has answered without a break (0 if never sampled or just broken). */
    synchronized long streakMs(String id, long nowMs) {
        Long broken = brokenAtMs.get(id);
        return broken == null ? 0 : nowMs - broken;
    }

    /** A new leadership: what an earlier one saw says nothing of the followers now. */
    synchronized void clear() {
        brokenAtMs.clear();
    }
}
