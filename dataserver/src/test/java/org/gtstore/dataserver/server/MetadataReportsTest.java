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
import org.gtstore.dataserver.chain.CaughtUpReport;
import org.gtstore.proto.PartitionTip;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the replica reports to the leader, against {@link FakeMetadataService} (a real port). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MetadataReportsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor();
    private final AtomicLong applied = new AtomicLong();
    private final List<List<PartitionTip>> tipsSent = new CopyOnWriteArrayList<>();
    private FakeMetadataService meta;
    private MetadataMembers members;
    private MetadataReports reports;

    @BeforeEach
    void start() throws Exception {
        meta = new FakeMetadataService(5000, 50);
        members = new MetadataMembers(List.of(meta.address()), 1000, exec);
        MapFollower maps = new MapFollower("s1", members, exec, 20);
        maps.deliverTo(m -> applied.accumulateAndGet(m.getEpoch(), Math::max), applied::get);
        reports = new MetadataReports("s1", members, maps, 10_000, tipsSent::add);
    }

    @Test
    void aCaughtUpReportIsNotSentAgainWhileTheLeaderHasNotAnswered() {
        meta.holdCaughtUpReports = true;
        CaughtUpReport r = new CaughtUpReport(7, "s4", 5, 120, 2);
        reports.reportCaughtUp(r);
        await().atMost(WAIT).until(() -> meta.caughtUpReports.size() == 1);
        reports.reportCaughtUp(r);          // the replica repeats it every few ticks
        reports.reportCaughtUp(new CaughtUpReport(8, "s4", 5, 90, 2));
        await().atMost(WAIT).until(() -> meta.caughtUpReports.size() == 2);
        await().during(Duration.ofMillis(200)).atMost(WAIT)
                .until(() -> meta.caughtUpReports.size() == 2);
        assertEquals(List.of(7, 8), meta.caughtUpReports.stream()
                .map(q -> q.getPartition()).toList());
        assertEquals(2, meta.caughtUpReports.get(0).getJoiningIncarnation());
        meta.answerHeldCaughtUpReports();
        await().atMost(WAIT).until(() -> {
            reports.reportCaughtUp(r);      // answered: a repeat is sent again
            return meta.caughtUpReports.size() >= 3;
        });
    }

    @Test
    void anUnreachableReportReachesTheLeaderAndItsNewerEpochIsFetched() {
        meta.publish(4, 2, p -> List.of("s1", "s2"));
        reports.reportUnreachable("s2", "stream failed");
        await().atMost(WAIT).until(() -> meta.unreachableReports.equals(List.of("s2")));
        await().atMost(WAIT).until(() -> applied.get() == 4);
    }

    @Test
    void tipsGoToTheHeartbeat() {
        PartitionTip tip = PartitionTip.newBuilder().setPartition(3).setSeq(9).build();
        reports.reportTips(List.of(tip));
        assertEquals(List.of(List.of(tip)), tipsSent);
    }

    @AfterEach
    void stop() throws Exception {
        exec.submit(members::close).get();
        exec.shutdownNow();
        meta.close();
    }
}
