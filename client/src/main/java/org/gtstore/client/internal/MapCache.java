package org.gtstore.client.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.gtstore.proto.PartitionMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's cached partition map and its single-flight refresh. However many requests fail
 * at once, at most one {@code GetMap} is in flight: the others wait for its result. The cached
 * map only moves forward; an older map than the cached one is dropped.
 */
public final class MapCache {
    private static final Logger LOG = LoggerFactory.getLogger(MapCache.class);

    private final LongFunction<CompletableFuture<PartitionMap>> fetcher;
    private final AtomicReference<RouteTable> current = new AtomicReference<>();
    private final AtomicReference<CompletableFuture<RouteTable>> inFlight =
            new AtomicReference<>();
    private final List<Consumer<RouteTable>> listeners = new CopyOnWriteArrayList<>();

    /** @param fetcher asks the metadata group for a map at least as new as the given epoch */
    public MapCache(LongFunction<CompletableFuture<PartitionMap>> fetcher) {
        this.fetcher = fetcher;
    }

    /** Called with every newer map installed, on the thread that installed it. */
    public void onNewMap(Consumer<RouteTable> listener) {
        listeners.add(listener);
    }

    /** The cached map, or null before the first fetch. */
    public RouteTable current() {
        return current.get();
    }

    /**
     * A map at least as new as {@code minEpoch}: the cached one if it is, else the result of a
     * fetch. A caller that joins a fetch started before it asked, whose map turns out older than
     * it needs, starts (or joins) one more fetch. The result may still be older than
     * {@code minEpoch} if the metadata has nothing newer.
     */
    public CompletableFuture<RouteTable> refresh(long minEpoch) {
        RouteTable cur = current.get();
        if (cur != null && cur.epoch() >= minEpoch) {
            return CompletableFuture.completedFuture(cur);
        }
        CompletableFuture<RouteTable> running = inFlight.get();
        if (running == null) {
            return fetch(minEpoch);
        }
        return running.thenCompose(t -> t.epoch() >= minEpoch
                ? CompletableFuture.completedFuture(t)
                : fetch(minEpoch));
    }

    /**
     * Asks whether the map moved on, without insisting that it did: a fetch for the cached
     * epoch, which the first member that has it (the leader, once known) answers, so it costs
     * one call. Joins a fetch in flight instead of starting one. Used after a back-off, when
     * a newer map may or may not exist; {@link #refresh} is for an epoch known to exist.
     */
    public CompletableFuture<RouteTable> poll() {
        RouteTable cur = current.get();
        return fetch(cur == null ? 0 : cur.epoch());
    }

    /** Starts a fetch, or joins the one in flight. */
    private CompletableFuture<RouteTable> fetch(long minEpoch) {
        while (true) {
            CompletableFuture<RouteTable> running = inFlight.get();
            if (running != null) {
                return running;
            }
            CompletableFuture<RouteTable> mine = new CompletableFuture<>();
            if (inFlight.compareAndSet(null, mine)) {
                start(minEpoch, mine);
                return mine;
            }
        }
    }

    private void start(long minEpoch, CompletableFuture<RouteTable> mine) {
        CompletableFuture<PartitionMap> f;
        try {
            f = fetcher.apply(minEpoch);
        } catch (RuntimeException e) {
            inFlight.compareAndSet(mine, null);
            mine.completeExceptionally(e);
            return;
        }
        f.whenComplete((map, err) -> {
            // Install before clearing, so a caller that finds no fetch in flight sees the map.
            // A poll's answer may be older than the cached map; the cached one is the result.
            RouteTable table = err == null ? install(map) : null;
            inFlight.compareAndSet(mine, null);
            if (err != null) {
                mine.completeExceptionally(err);
            } else {
                mine.complete(table);
            }
        });
    }

    /** Installs a map if it is newer than the cached one; returns the cached map after. */
    public RouteTable install(PartitionMap map) {
        RouteTable table = null;
        while (true) {
            RouteTable cur = current.get();
            if (cur != null && cur.epoch() >= map.getEpoch()) {
                return cur;
            }
            if (table == null) {
                table = RouteTable.of(map);
            }
            if (current.compareAndSet(cur, table)) {
                LOG.debug("map epoch {} installed (was {}): {}", map.getEpoch(),
                        cur == null ? "none" : cur.epoch(), map.getCause());
                for (Consumer<RouteTable> l : listeners) {
                    l.accept(table);
                }
                return table;
            }
        }
    }
}
