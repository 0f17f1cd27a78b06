package org.gtstore.dataserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which member the session asks: the leader as last known, hints, failures, closing. */
class MetadataMembersTest {
    private final List<Runnable> queued = new ArrayList<>();
    private final MetadataMembers members =
            new MetadataMembers(List.of("m1", "m2", "m3"), 1000, queued::add);

    @Test
    void theFirstMemberIsAskedFirstAndAFailureMovesToTheNext() {
        assertEquals("m1", members.leader());
        members.failed("m1");
        assertEquals("m2", members.leader());
        members.failed("m2");
        members.failed("m3");
        assertEquals("m1", members.leader(), "round the members");
    }

    @Test
    void severalFailedCallsToOneMemberMoveOnOnce() {
        members.failed("m1");
        members.failed("m1");       // a second call to m1 that was in flight
        assertEquals("m2", members.leader());
    }

    @Test
    void aHintNamesTheLeaderAndNoHintMovesOn() {
        members.follow("m1", "m3");
        assertEquals("m3", members.leader());
        members.follow("m3", "");
        assertEquals("m1", members.leader());
        members.led("m2");
        assertEquals("m2", members.leader());
    }

    @Test
    void answersRunOnTheSessionThreadAndNotAfterClose() {
        List<String> handled = new ArrayList<>();
        members.callback((String v) -> handled.add(v), t -> handled.add("failed"))
                .onNext("first");
        assertEquals(List.of(), handled, "not on the caller's thread");
        queued.remove(0).run();
        assertEquals(List.of("first"), handled);
        members.callback((String v) -> handled.add(v), t -> handled.add("failed"))
                .onError(new RuntimeException("x"));
        members.close();
        queued.remove(0).run();
        assertEquals(List.of("first"), handled, "closed: the answer is dropped");
        assertTrue(members.closed());
    }

    @Test
    void anAnswerNamingNewMembersReplacesTheListAndKeepsTheLeaderIfItStays() {
        members.led("m2");
        assertTrue(members.update(List.of("m2", "m3", "m4")));
        assertEquals("m2", members.leader());
        assertEquals(3, members.size());
        members.failed("m2");
        members.failed("m3");
        assertEquals("m4", members.leader(), "the added member is asked");
        assertTrue(members.update(List.of("m5", "m6", "m7")));
        assertEquals("m5", members.leader(), "the leader left the group");
        assertFalse(members.update(List.of("m5", "m6", "m7")), "no change");
        assertFalse(members.update(List.of()), "an answer without members changes nothing");
        assertEquals(3, members.size());
    }

    @Test
    void noMembersIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new MetadataMembers(List.of(), 1000, Runnable::run));
    }
}
