package org.gtstore.metadata.liveness;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.gtstore.metadata.model.ServerEntry;

/**
 * When the metadata leader last heard from each data server. This is soft state: it is never
 * logged, only the transitions it leads to (MarkDead) are. A leader that has just been elected
 * knows nothing about the past, so {@link #startGrace} gives every server a full failure
 * timeout from that moment before anyone can be judged silent.
 *
 * <p>Heartbeats are kept per incarnation: a heartbeat from an older life of a server does not
 * keep the current one alive. Thread-safe: heartbeats arrive on gRPC threads while the leader's
 * duty thread asks who expired.
 */
public final class HeartbeatTracker {

    private record Seen(long incarnation, long atNs) {
    }

    private final Clock clock;
    private final long failureTimeoutNs;
    private final Map<String, Seen> lastSeen = new ConcurrentHashMap<>();
    private volatile boolean active;
    private volatile long graceStartNs;

    public HeartbeatTracker(Clock clock, long failureTimeoutMs) {
        if (failureTimeoutMs <= 0) {
            throw new IllegalArgumentException("failureTimeoutMs <= 0: " + failureTimeoutMs);
        }
        this.clock = clock;
        this.failureTimeoutNs = TimeUnit.MILLISECONDS.toNanos(failureTimeoutMs);
    }

    /** Called when this member becomes leader: forget the past, judge nobody for a timeout. */
    public void startGrace() {
        lastSeen.clear();
        graceStartNs = clock.nanoTime();
        active = true;
    }

    /** Called when this member stops being leader: it judges nobody until the next grace. */
    public void stop() {
        active = false;
        lastSeen.clear();
    }

    public boolean isActive() {
        return active;
    }

    /** Records a heartbeat (or a registration) of this incarnation of the server. */
    public void heartbeat(String serverId, long incarnation) {
        lastSeen.put(serverId, new Seen(incarnation, clock.nanoTime()));
    }

    /** Milliseconds since the server (this incarnation) or the grace period was last heard. */
    public long silentForMs(ServerEntry server) {
        Seen seen = lastSeen.get(server.id());
        long since = graceStartNs;
        if (seen != null && seen.incarnation() == server.incarnation()) {
            since = Math.max(since, seen.atNs());
        }
        return TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - since);
    }

    /**
     * The live servers silent for longer than the failure timeout. Empty while this member is
     * not an active leader.
     */
    public List<ServerEntry> expired(Collection<ServerEntry> liveServers) {
        List<ServerEntry> out = new ArrayList<>();
        if (!active) {
            return out;
        }
        long now = clock.nanoTime();
        for (ServerEntry s : liveServers) {
            Seen seen = lastSeen.get(s.id());
            long since = graceStartNs;
            if (seen != null && seen.incarnation() == s.incarnation()) {
                since = Math.max(since, seen.atNs());
            }
            if (now - since > failureTimeoutNs) {
                out.add(s);
            }
        }
        return out;
    }
}
