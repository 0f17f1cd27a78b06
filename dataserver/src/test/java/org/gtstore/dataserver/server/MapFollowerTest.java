package org.gtstore.dataserver.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.gtstore.proto.PartitionMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The maps a data server follows, against {@link FakeMetadataService} members on real ports. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MapFollowerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor();
    private final List<PartitionMap> delivered = new CopyOnWriteArrayList<>();
    private final AtomicLong applied = new AtomicLong();
    private FakeMetadataService first;
    private FakeMetadataService second;
    private MetadataMembers members;

    private MapFollower follower(FakeMetadataService... metas) {
        List<String> addresses = java.util.Arrays.stream(metas)
                .map(FakeMetadataService::address).toList();
        members = new MetadataMembers(addresses, 1000, exec);
        MapFollower f = new MapFollower("s1", members, exec, 20);
        f.deliverTo(m -> {
            delivered.add(m);
            applied.accumulateAndGet(m.getEpoch(), Math::max);
        }, applied::get);
        return f;
    }

    @Test
    void theWatchBringsEveryMapPublishedAfterTheOneApplied() throws Exception {
        first = new FakeMetadataService(5000, 50);
        first.publish(1, 4, p -> List.of("s1"));
        MapFollower f = follower(first);
        exec.execute(f::watch);
        await().atMost(WAIT).until(() -> applied.get() == 1);
        first.publish(2, 4, p -> List.of("s1"));
        await().atMost(WAIT).until(() -> applied.get() == 2);
    }

    @Test
    void aWatchThatFailsIsOpenedAgainOnAnotherMember() throws Exception {
        first = new FakeMetadataService(5000, 50);
        second = new FakeMetadataService(5000, 50);
        first.publish(1, 4, p -> List.of("s1"));
        second.publish(1, 4, p -> List.of("s1"));
        MapFollower f = follower(first, second);
        exec.execute(f::watch);
        await().atMost(WAIT).until(() -> applied.get() == 1);
        first.close();
        await().atMost(WAIT).until(() -> second.watchers() == 1);
        second.publish(2, 4, p -> List.of("s1"));
        await().atMost(WAIT).until(() -> applied.get() == 2);
    }

    @Test
    void aNewerEpochSeenElsewhereIsFetched() throws Exception {
        first = new FakeMetadataService(5000, 50);
        first.publish(3, 4, p -> List.of("s1"));
        MapFollower f = follower(first);
        exec.execute(() -> f.sawEpoch(2));
        await().atMost(WAIT).until(() -> applied.get() == 3);
        exec.execute(() -> f.sawEpoch(3));      // applied already: nothing is fetched
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> delivered.size() == 1);
    }

    @AfterEach
    void stop() throws Exception {
        if (members != null) {
            exec.submit(members::close).get();
        }
        exec.shutdownNow();
        for (FakeMetadataService m : new FakeMetadataService[] {first, second}) {
            if (m != null) {
                m.close();
            }
        }
    }
}
