package org.gtstore.metadata.liveness;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.gtstore.metadata.model.ServerEntry;

/**
 * How long a data server whose connection is refused (nothing listens: its process is gone)
 * may take to come back before the leader declares it dead. A process restarted with its data
 * directory within the grace registers again with the same storage id while it is still live
 * in the map, so it keeps its chain positions and catches up through the chain, instead of
 * being removed from every chain and rebuilt by copies. The price: writes (and reads, at a
 * tail) of its partitions wait for it for up to the grace.
 *
 * <p>With a grace of 0 (the default) the first refused probe condemns the server, as DESIGN.md's
 * fast path says. Otherwise the first refused probe of an incarnation starts its grace; a later
 * refused probe after the grace, or the leader's own last probe once {@link #due} names it,
 * condemns it. A probe that is answered, or a new incarnation (the server registered again),
 * ends the grace. The failure timeout is independent: a server silent for that long is dead
 * whatever the grace, so a grace is only useful when it is shorter than the failure timeout.
 *
 * <p>Soft state like {@link HeartbeatTracker}: never logged, forgotten on a leader change (the
 * new leader's first refused probe starts a new grace). Thread-safe: probe answers arrive on
 * gRPC threads while the duty thread asks what is due.
 */
public final class RestartGrace {

    /** The first refused probe of an incarnation. */
    private record Refused(long incarnation, long sinceNs) {
    }

    private final Clock clock;
    private final long graceNs;
    private final Map<String, Refused> refused = new ConcurrentHashMap<>();

    public RestartGrace(Clock clock, long graceMs) {
        if (graceMs < 0) {
            throw new IllegalArgumentException("graceMs < 0: " + graceMs);
        }
        this.clock = clock;
        this.graceNs = TimeUnit.MILLISECONDS.toNanos(graceMs);
    }

    public long graceMs() {
        return TimeUnit.NANOSECONDS.toMillis(graceNs);
    }

    /**
     * A probe of this incarnation of the server was refused.
     *
     * @return true if it is to be declared dead now: there is no grace, or its grace (started
     *     by the first refused probe of this incarnation) is over
     */
    public boolean refused(String serverId, long incarnation) {
        if (graceNs == 0) {
            return true;
        }
        long now = clock.nanoTime();
        Refused r = refused.compute(serverId, (id, old) ->
                old != null && old.incarnation() == incarnation ? old
                        : new Refused(incarnation, now));
        return r.incarnation() == incarnation && now - r.sinceNs() >= graceNs;
    }

    /** Milliseconds since this incarnation's first refused probe; empty if it is in no grace. */
    public Optional<Long> refusedForMs(String serverId, long incarnation) {
        Refused r = refused.get(serverId);
        if (r == null || r.incarnation() != incarnation) {
            return Optional.empty();
        }
        return Optional.of(TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - r.sinceNs()));
    }

    /** A probe of this incarnation was answered (or told nothing): its grace ends. */
    public void forget(String serverId, long incarnation) {
        refused.computeIfPresent(serverId, (id, r) -> r.incarnation() == incarnation ? null : r);
    }

    /**
     * The live servers whose grace is over, each named once: the leader probes each a last
     * time and declares it dead if still refused. Graces of incarnations that are no longer
     * live (the server registered again, or was declared dead) are dropped.
     */
    public List<ServerEntry> due(Collection<ServerEntry> liveServers) {
        List<ServerEntry> out = new ArrayList<>();
        if (refused.isEmpty()) {
            return out;
        }
        long now = clock.nanoTime();
        Map<String, ServerEntry> live = new HashMap<>();
        for (ServerEntry s : liveServers) {
            live.put(s.id(), s);
        }
        for (Map.Entry<String, Refused> e : refused.entrySet()) {
            ServerEntry s = live.get(e.getKey());
            Refused r = e.getValue();
            if (s == null || s.incarnation() != r.incarnation()) {
                refused.remove(e.getKey(), r);
            } else if (now - r.sinceNs() >= graceNs && refused.remove(e.getKey(), r)) {
                out.add(s);
            }
        }
        return out;
    }

    /** On a leader change: the next leader starts every grace again from its own probes. */
    public void clear() {
        refused.clear();
    }
}
