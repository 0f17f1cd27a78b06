package org.gtstore.metadata.service;

import static org.gtstore.metadata.command.Fixtures.apply;
import static org.gtstore.metadata.command.Fixtures.disk;
import static org.gtstore.metadata.command.Fixtures.markDead;
import static org.gtstore.metadata.command.Fixtures.register;
import static org.gtstore.metadata.command.Fixtures.tips;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.metadata.command.Fixtures;
import org.gtstore.metadata.liveness.FakeClock;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.proto.ReviveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The leader waits for the last replicas of an unavailable chain from the first tip it sees,
 * for the revive wait, and then names the chain (in its chain epoch) to be served again.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RevivalWaitTest {

    private final FakeClock clock = new FakeClock();
    private final RevivalWait wait = new RevivalWait(clock, 5_000);

    @Test
    void aChainWithATipIsDueOnceTheWaitHasPassedSinceTheTipWasSeen() {
        ClusterState dead = allDead(Fixtures.assigned(3, 3, 3));
        assertTrue(wait.due(dead).isEmpty(), "no tip: nothing to revive from");
        clock.advanceMs(60_000);
        assertTrue(wait.due(dead).isEmpty());
        String first = dead.chain(0).lastReplicas().get(0);
        ClusterState one = apply(dead, register(first, 2, disk(first)));
        one = apply(one, tips(one, first, 0, 0, 3));
        assertTrue(wait.due(one).isEmpty(), "the wait starts with the tip");
        clock.advanceMs(4_999);
        assertTrue(wait.due(one).isEmpty());
        clock.advanceMs(1);
        assertEquals(List.of(ReviveEntry.newBuilder().setPartition(0)
                .setChainEpoch(one.chain(0).epoch()).build()), wait.due(one));
    }

    @Test
    void aNewChainEpochOrANewLeaderWaitsAfresh() {
        ClusterState dead = allDead(Fixtures.assigned(3, 3, 3));
        List<String> last = dead.chain(0).lastReplicas();
        ClusterState s = apply(dead, register(last.get(0), 2, disk(last.get(0))));
        s = apply(s, tips(s, last.get(0), 0, 0, 3));
        wait.due(s);
        clock.advanceMs(4_000);
        ClusterState wiped = apply(s, register(last.get(1), 2, "new-disk"));
        assertTrue(wiped.chain(0).epoch() > s.chain(0).epoch(), "its last replicas changed");
        assertTrue(wait.due(wiped).isEmpty());
        clock.advanceMs(4_000);
        assertTrue(wait.due(wiped).isEmpty(), "waits from the new epoch");
        wait.clear();
        assertTrue(wait.due(wiped).isEmpty(), "a new leader waits from its first look");
        clock.advanceMs(4_999);
        assertTrue(wait.due(wiped).isEmpty());
        clock.advanceMs(1);
        assertEquals(1, wait.due(wiped).size());
    }

    private static ClusterState allDead(ClusterState s) {
        for (String id : List.copyOf(s.servers().keySet())) {
            s = apply(s, markDead(s, id));
        }
        return s;
    }
}
