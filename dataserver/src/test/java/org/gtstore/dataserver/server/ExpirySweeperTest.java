package org.gtstore.dataserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gtstore.dataserver.chain.ChainEvent;
import org.gtstore.dataserver.storage.InMemoryStore;
import org.gtstore.dataserver.storage.StoreBatch;
import org.gtstore.proto.Update;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The expiry sweep: due writes go to the replica, stale entries are forgotten, pages resume. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExpirySweeperTest {
    private static ByteString bytes(String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }

    private static Update put(long seq, String key, long expiresAtMs) {
        return Update.newBuilder().setPartition(1).setSeq(seq).setKey(bytes(key))
                .setValue(bytes("v")).setExpiresAtMs(expiresAtMs).build();
    }

    @Test
    void aWriteOfTheSameVersionWithAnotherExpiryIsNotDeleted() {
        // A cut back discards the partition (its index entries stay), and the copy brings the
        // same seq for another write: the old entry must not delete it.
        InMemoryStore store = new InMemoryStore();
        store.apply(List.of(put(1, "k", 100)), Map.of(1, 1L));
        store.apply(new StoreBatch(2, 0, List.of(1), List.of(put(1, "k", 500)), List.of(),
                Map.of(1, 1L), Map.of(), Map.of()));
        ExpirySweeper sweeper = new ExpirySweeper(store, 10);
        assertNull(sweeper.sweep(200), "nothing due: the entry at 100 is another write's");
        assertEquals(List.of(), store.dueExpiries(200, null, 10), "and it is forgotten");
        ChainEvent.ExpiriesDue due = sweeper.sweep(500);
        assertEquals(List.of(new ChainEvent.ExpiredWrite(1, bytes("k"), 1)), due.writes());
    }

    @Test
    void aFullPageResumesAfterItsLastEntryAndStartsOverAtTheEnd() {
        InMemoryStore store = new InMemoryStore();
        store.apply(List.of(put(1, "a", 10), put(2, "b", 20), put(3, "c", 30)), Map.of(1, 3L));
        ExpirySweeper sweeper = new ExpirySweeper(store, 2);
        assertEquals(2, sweeper.sweep(100).writes().size());
        assertTrue(sweeper.behind());
        assertEquals(List.of(new ChainEvent.ExpiredWrite(1, bytes("c"), 3)),
                sweeper.sweep(100).writes());
        assertFalse(sweeper.behind());
        assertEquals(2, sweeper.sweep(100).writes().size(), "from the first again");
    }
}
