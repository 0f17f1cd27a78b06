package org.gtstore.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.gtstore.proto.PartitionMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The single-flight refresh, with a fetcher the test completes by hand. */
@Timeout(10)
class MapCacheTest {
    private final List<CompletableFuture<PartitionMap>> fetches = new ArrayList<>();
    private final MapCache cache = new MapCache(known -> {
        CompletableFuture<PartitionMap> f = new CompletableFuture<>();
        fetches.add(f);
        return f;
    });

    private static PartitionMap map(long epoch) {
        return PartitionMap.newBuilder().setEpoch(epoch).build();
    }

    @Test
    void concurrentRefreshesShareOneFetch() {
        CompletableFuture<RouteTable> a = cache.refresh(1);
        CompletableFuture<RouteTable> b = cache.refresh(1);
        assertEquals(1, fetches.size());
        fetches.get(0).complete(map(1));
        assertSame(a.join(), b.join());
        assertEquals(1, cache.current().epoch());
    }

    @Test
    void cachedMapNewEnoughNeedsNoFetch() {
        cache.install(map(5));
        assertEquals(5, cache.refresh(5).join().epoch());
        assertEquals(0, fetches.size());
        cache.refresh(6);
        assertEquals(1, fetches.size());
    }

    @Test
    void joinerNeedingNewerMapFetchesOnceMoreAfterTheRunningFetch() {
        // Goal: a request that fails while a fetch (started before its failure) is running
        // must not be handed that fetch's older map as if it were new.
        CompletableFuture<RouteTable> early = cache.refresh(1);
        CompletableFuture<RouteTable> late = cache.refresh(3);
        CompletableFuture<RouteTable> late2 = cache.refresh(3);
        fetches.get(0).complete(map(2));
        assertEquals(2, early.join().epoch());
        assertEquals(2, fetches.size(), "the two late callers share the second fetch");
        fetches.get(1).complete(map(3));
        assertEquals(3, late.join().epoch());
        assertEquals(3, late2.join().epoch());
    }

    @Test
    void mapNeverGoesBackwards() {
        cache.install(map(4));
        List<Long> seen = new ArrayList<>();
        cache.onNewMap(t -> seen.add(t.epoch()));
        assertEquals(4, cache.install(map(3)).epoch());
        cache.refresh(5);
        fetches.get(0).complete(map(2));
        assertEquals(4, cache.current().epoch());
        cache.install(map(6));
        assertEquals(List.of(6L), seen);
    }

    @Test
    void failedFetchFailsItsWaitersAndTheNextRefreshTriesAgain() {
        CompletableFuture<RouteTable> a = cache.refresh(1);
        fetches.get(0).completeExceptionally(new IllegalStateException("down"));
        assertTrue(a.isCompletedExceptionally());
        cache.refresh(1);
        assertEquals(2, fetches.size());
    }

    @Test
    void pollAsksForTheCachedEpochAndJoinsAFetchInFlight() {
        // Goal: a poll asks "anything new?" (known epoch = the cached one, which any member
        // has), shares a fetch already running, and never moves the map backwards.
        List<Long> asked = new ArrayList<>();
        MapCache c = new MapCache(known -> {
            asked.add(known);
            CompletableFuture<PartitionMap> f = new CompletableFuture<>();
            fetches.add(f);
            return f;
        });
        c.install(map(4));
        CompletableFuture<RouteTable> a = c.poll();
        CompletableFuture<RouteTable> b = c.poll();
        assertEquals(List.of(4L), asked);
        fetches.get(0).complete(map(4));
        assertSame(a.join(), b.join());
        assertEquals(4, a.join().epoch());

        c.refresh(7);
        c.poll();
        assertEquals(List.of(4L, 7L), asked, "the poll joined the refresh in flight");
    }
}
