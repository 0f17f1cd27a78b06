package org.gtstore.metadata.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.TimeUnit;
import org.gtstore.metadata.command.Fixtures;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.proto.PartitionMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The wire form of each epoch is built once on apply and shared by every GetMap and watch
 * stream; it must also be cheap to build. Goal: the next epoch's map reuses the previous map's
 * Chain messages for every chain the command did not touch (rebuilding 1024 chains cost about
 * 240 KB of garbage per epoch), and is still equal to a map built from scratch.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class AppliedMapTest {

    @Test
    void nextEpochReusesTheMessagesOfUnchangedChains() {
        ClusterState s = Fixtures.assigned(7, 3, 1024);
        AppliedMap first = AppliedMap.of(s, 1);
        ClusterState dead = Fixtures.apply(s, Fixtures.markDead(s, "server4"));
        AppliedMap second = first.next(dead, 2);
        assertEquals(dead.toProto(), second.map());
        int reused = 0;
        for (PartitionChain c : dead.chains()) {
            if (c.contains("server4") || s.chain(c.partition()).contains("server4")) {
                assertNotSame(first.map().getChains(c.partition()),
                        second.map().getChains(c.partition()));
            } else {
                assertSame(first.map().getChains(c.partition()),
                        second.map().getChains(c.partition()));
                reused++;
            }
        }
        long untouched = s.chains().stream().filter(c -> !c.contains("server4")).count();
        assertEquals(untouched, reused);
        assertEquals(true, untouched > 500, "untouched " + untouched);
    }

    @Test
    void firstAssignmentBuildsEveryChain() {
        ClusterState registered = Fixtures.registered(3, 2, 8);
        AppliedMap before = AppliedMap.of(registered, 1);
        ClusterState assigned = Fixtures.assigned(3, 2, 8);
        PartitionMap map = before.next(assigned, 2).map();
        assertEquals(assigned.toProto(), map);
        assertEquals(8, map.getChainsCount());
    }
}
