package org.gtstore.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.gtstore.client.internal.MetadataClient;
import org.gtstore.proto.ClusterSettings;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetMapResponse;
import org.gtstore.proto.MemberStatus;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ReportUnreachableResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The metadata client against fake members on loopback ports. */
@Timeout(30)
class MetadataClientTest {
    private final List<FakeMetadataServer> members = new ArrayList<>();
    private final List<MetadataClient> clients = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        clients.forEach(MetadataClient::close);
        for (FakeMetadataServer m : members) {
            m.close();
        }
    }

    private FakeMetadataServer member(String id, long epoch) throws Exception {
        FakeMetadataServer m = new FakeMetadataServer(id);
        m.setMap(map(epoch));
        members.add(m);
        return m;
    }

    private MetadataClient client(String... addresses) {
        MetadataClient c = MetadataClient.builder().addresses(List.of(addresses))
                .callTimeout(Duration.ofMillis(500)).clientId("test").build();
        clients.add(c);
        return c;
    }

    private static PartitionMap map(long epoch) {
        return PartitionMap.newBuilder().setEpoch(epoch)
                .setSettings(ClusterSettings.newBuilder().setPartitions(4).setReplication(1))
                .build();
    }

    @Test
    void aMapAnswerNamingNewMembersMovesLaterCallsToThem() throws Exception {
        // Goal: a long-lived client follows a change of metadata members: once an answer names
        // the new group, the old members are no longer asked, even after they are gone.
        FakeMetadataServer old = member("meta1", 1);
        FakeMetadataServer added = member("meta4", 1);
        old.getMapHandler = r -> GetMapResponse.newBuilder().setCode(ErrorCode.OK)
                .setMap(map(1)).setServedBy("meta1").addMetaMembers(added.address()).build();
        MetadataClient c = client(old.address());
        assertEquals(1, c.getMap(0).getEpoch());
        assertEquals(List.of(added.address()), c.addresses());
        old.close();
        assertEquals(1, c.getMap(0).getEpoch(), "answered by the member it learned of");
        assertEquals(1, added.getMapCalls.get());
    }

    @Test
    void followsLeaderHintOnNotLeader() throws Exception {
        // Goal: a follower's NOT_LEADER with a hint sends the report to the leader, and later
        // calls go to the leader first.
        FakeMetadataServer follower = member("meta1", 1);
        FakeMetadataServer leader = member("meta2", 1);
        FakeMetadataServer other = member("meta3", 1);
        follower.leaderHint = leader.address();
        leader.reportHandler = r -> ReportUnreachableResponse.newBuilder()
                .setCode(ErrorCode.OK).setMarkedDead(true).setMapEpoch(2).build();
        MetadataClient c = client(follower.address(), other.address(), leader.address());

        ReportUnreachableResponse r = c.reportUnreachable("server3", 1, "connection refused");

        assertTrue(r.getMarkedDead());
        assertEquals(1, follower.reports.size());
        assertEquals(0, other.reports.size());
        assertEquals(1, leader.reports.size());
        assertEquals("server3", leader.reports.get(0).getServerId());
        assertEquals("test", leader.reports.get(0).getReporter());

        c.reportUnreachable("server4", 2, "connection refused");
        assertEquals(1, follower.reports.size(), "the leader is now asked first");
        assertEquals(2, leader.reports.size());
    }

    @Test
    void mapAnswerNamingTheLeaderSendsTheNextCallThere() throws Exception {
        FakeMetadataServer follower = member("meta1", 1);
        FakeMetadataServer leader = member("meta2", 1);
        follower.leaderHint = leader.address();
        MetadataClient c = client(follower.address(), leader.address());

        assertEquals(1, c.getMap().getEpoch());
        c.reportUnreachable("server1", 1, "connection refused");

        assertEquals(1, follower.getMapCalls.get());
        assertEquals(0, follower.reports.size());
        assertEquals(1, leader.reports.size());
    }

    @Test
    void leaderMapIsReadFromTheLeaderEvenWhenAFollowerAnswersFirst() throws Exception {
        // Goal: a follower that has not applied the newest change (epoch 4 at the leader) is not
        // taken for the truth when the caller asks for the leader's map.
        FakeMetadataServer follower = member("meta1", 3);
        FakeMetadataServer leader = member("meta2", 4);
        follower.leaderHint = leader.address();
        MetadataClient c = client(follower.address(), leader.address());

        assertEquals(3, c.getMap().getEpoch(), "any member may answer a plain GetMap");
        assertEquals(4, c.getLeaderMap().getEpoch());
    }

    @Test
    void leaderMapFailsWhileNoMemberIsLeader() throws Exception {
        FakeMetadataServer a = member("meta1", 3);
        FakeMetadataServer b = member("meta2", 3);
        a.leaderHint = "";
        b.leaderHint = "";
        MetadataClient c = client(a.address(), b.address());
        assertThrows(MetadataUnavailableException.class, c::getLeaderMap);
    }

    @Test
    void skipsDeadMemberAndReadsMapFromNext() throws Exception {
        FakeMetadataServer live = member("meta2", 7);
        MetadataClient c = client(TestMaps.deadAddress(), live.address());
        assertEquals(7, c.getMap().getEpoch());
        assertEquals(1, live.getMapCalls.get());
    }

    @Test
    void asksNextMemberWhenMapIsOlderThanKnown() throws Exception {
        // Goal: a lagging member's older map is passed over for a member with a new enough
        // one; if none has one, the newest found is returned rather than nothing.
        FakeMetadataServer lagging = member("meta1", 3);
        FakeMetadataServer current = member("meta2", 5);
        MetadataClient c = client(lagging.address(), current.address());
        assertEquals(5, c.getMap(5).getEpoch());
        assertEquals(5, c.getMap(9).getEpoch());
    }

    @Test
    void throwsMetadataUnavailableNamingEveryAddress() throws Exception {
        String a = TestMaps.deadAddress();
        String b = TestMaps.deadAddress();
        MetadataClient c = client(a, b);
        MetadataUnavailableException e = assertThrows(MetadataUnavailableException.class,
                c::getMap);
        assertEquals("no metadata server reachable at " + a + "," + b + " (" + a
                + ": connection refused; " + b + ": connection refused): is the cluster"
                + " running? (gtctl cluster status)", e.getMessage());
    }

    @Test
    void memberStatusAsksExactlyThatMember() throws Exception {
        FakeMetadataServer leader = member("meta1", 4);
        String down = TestMaps.deadAddress();
        MetadataClient c = client(leader.address(), down);

        MemberStatus s = c.memberStatus(leader.address());
        assertEquals("meta1", s.getId());
        assertEquals("LEADER", s.getRole());
        assertEquals(4, s.getMapEpoch());

        MetadataUnavailableException e = assertThrows(MetadataUnavailableException.class,
                () -> c.memberStatus(down));
        assertEquals("metadata member " + down + " is not reachable: connection refused",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.memberStatus("nonsense"));
    }

    @Test
    void watchDeliversIncreasingEpochsAndSurvivesMemberGoingAway() throws Exception {
        // Goal: the watch delivers each new epoch once, in order; when its member dies it
        // reconnects to another one and goes on from the last epoch it delivered, never
        // delivering that member's older map.
        FakeMetadataServer first = member("meta1", 1);
        FakeMetadataServer second = member("meta2", 1);
        MetadataClient c = client(first.address(), second.address());
        List<Long> epochs = new CopyOnWriteArrayList<>();
        List<String> lost = new CopyOnWriteArrayList<>();

        try (MetadataClient.Watch w = c.watch(1, new MetadataClient.MapListener() {
            @Override
            public void onMap(PartitionMap map) {
                epochs.add(map.getEpoch());
            }

            @Override
            public void onConnectionLost(String address, String reason) {
                lost.add(address);
            }
        })) {
            await().atMost(Duration.ofSeconds(5)).until(() -> epochs.equals(List.of(1L)));
            first.setMap(map(2));
            first.setMap(map(3));
            await().atMost(Duration.ofSeconds(5)).until(() -> epochs.equals(List.of(1L, 2L, 3L)));

            second.setMap(map(2));   // lagging behind what the watch has delivered
            first.stop();
            await().atMost(Duration.ofSeconds(5)).until(() -> second.watchRequests.size() == 1);
            assertEquals(4, second.watchRequests.get(0).getFromEpoch());
            second.setMap(map(3));
            second.setMap(map(4));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> epochs.equals(List.of(1L, 2L, 3L, 4L)));
            assertEquals(List.of(first.address()), lost);
        }
        second.setMap(map(5));
        assertEquals(List.of(1L, 2L, 3L, 4L), epochs, "nothing after close");
    }

    @Test
    void watchKeepsRetryingUntilAMemberComesBack() throws Exception {
        // Goal: with every member down the watch backs off and retries; it delivers as soon
        // as one answers.
        String down = TestMaps.deadAddress();
        FakeMetadataServer live = member("meta2", 6);
        MetadataClient c = client(down, live.address());
        List<Long> epochs = new CopyOnWriteArrayList<>();
        try (MetadataClient.Watch w = c.watch(5, m -> epochs.add(m.getEpoch()))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> epochs.equals(List.of(6L)));
        }
    }
}
