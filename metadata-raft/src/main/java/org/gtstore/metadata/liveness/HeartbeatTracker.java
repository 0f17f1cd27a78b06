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
 *
 * <p>Judging is atomic with heartbeats. {@link #expired} only names candidates; the leader
 * then calls {@link #condemnIfSilent} for each one right before it submits that server's
 * MarkDead, which takes a second under load. A heartbeat recorded before the verdict saves the
 * server; once condemned, heartbeats of that incarnation are refused ({@link #heartbeat} returns
 * false) and must not be answered OK, or the server would extend its lease (counted from its
 * send time) past the moment the MarkDead gives its chains to others.
 */
public final class HeartbeatTracker {

    /** The last heartbeat of an incarnation; {@code condemned}: its MarkDead is under way. */
    private record Seen(long incarnation, long atNs, boolean condemned) {
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

    /**
     * Judges nobody by silence for the next {@code ms} (a refused connection still counts):
     * while a new cluster forms, ten JVMs compiling on two cores make heartbeats late.
     */
    public void graceFor(long ms) {
        long start = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms) - failureTimeoutNs;
        graceStartNs = Math.max(graceStartNs, start);
    }

    /** Called when this member stops being leader: it judges nobody until the next grace. */
    public void stop() {
        active = false;
        lastSeen.clear();
    }

    public boolean isActive() {
        return active;
    }

    /**
     * Records a heartbeat (or a registration) of this incarnation of the server.
     *
     * @return false, and nothing recorded, if this incarnation is condemned (its MarkDead is
     *     under way) or an older one than the last heard
     */
    public boolean heartbeat(String serverId, long incarnation) {
        Seen now = lastSeen.compute(serverId, (id, seen) -> {
            if (seen != null && (seen.incarnation() > incarnation
                    || seen.incarnation() == incarnation && seen.condemned())) {
                return seen;
            }
            return new Seen(incarnation, clock.nanoTime(), false);
        });
        return now.incarnation() == incarnation && !now.condemned();
    }

    /**
     * The verdict on one server, right before its MarkDead: true if this incarnation is silent
     * for longer than the failure timeout (or already condemned), and from then on its
     * heartbeats are refused. False if it was heard in time, this member is not an active
     * leader, or a newer incarnation was heard.
     */
    public boolean condemnIfSilent(ServerEntry server) {
        if (!active) {
            return false;
        }
        Seen verdict = lastSeen.compute(server.id(), (id, seen) -> {
            if (seen != null && (seen.incarnation() > server.incarnation()
                    || seen.incarnation() == server.incarnation() && seen.condemned())) {
                return seen;
            }
            long since = heardSinceNs(seen, server.incarnation());
            boolean silent = clock.nanoTime() - since > failureTimeoutNs;
            return silent ? new Seen(server.incarnation(), since, true) : seen;
        });
        return verdict != null && verdict.incarnation() == server.incarnation()
                && verdict.condemned();
    }

    /** Milliseconds since the server (this incarnation) or the grace period was last heard. */
    public long silentForMs(ServerEntry server) {
        long since = heardSinceNs(lastSeen.get(server.id()), server.incarnation());
        return TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - since);
    }

    /** When this incarnation was last heard: its last heartbeat, or the grace period's start. */
    private long heardSinceNs(Seen seen, long incarnation) {
        if (seen != null && seen.incarnation() == incarnation) {
            return Math.max(graceStartNs, seen.atNs());
        }
        return graceStartNs;
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
            if (now - heardSinceNs(lastSeen.get(s.id()), s.incarnation()) > failureTimeoutNs) {
                out.add(s);
            }
        }
        return out;
    }
}
