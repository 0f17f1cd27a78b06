package org.gtstore.dataserver.chain;

import static org.gtstore.dataserver.chain.ChainHarness.bytes;
import static org.gtstore.dataserver.chain.ChainHarness.partitionOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.ScanEntry;
import org.gtstore.proto.ScanRequest;
import org.gtstore.proto.ScanResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Scan pages at the tail: committed values only, in key order, resumable, deletes skipped. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ScanPageTest {

    /** Keys of one partition, so one page request sees them all. */
    private static List<String> keysOfOnePartition(int count) {
        List<String> keys = new ArrayList<>();
        int p = partitionOf("k0");
        for (int i = 0; keys.size() < count; i++) {
            if (partitionOf("k" + i) == p) {
                keys.add("k" + i);
            }
        }
        return keys;
    }

    private static ScanRequest page(String key, String after, int limit) {
        return ScanRequest.newBuilder().setPartition(partitionOf(key))
                .setAfterKey(bytes(after)).setLimit(limit).build();
    }

    @Test
    void pagesResumeAfterTheLastKeyReadAndSkipDeletedKeys() {
        ChainHarness h = ChainHarness.threeChain();
        List<String> keys = keysOfOnePartition(5);
        for (String k : keys) {
            h.put("a", k, "v-" + k);
        }
        h.put("a", h.request(keys.get(1), "").setTombstone(true).build());
        h.deliverAll();
        List<String> seen = new ArrayList<>();
        String after = "";
        boolean more = true;
        while (more) {
            ScanResponse r = h.scanReply(h.scan("c", page(keys.get(0), after, 2)));
            assertEquals(ErrorCode.OK, r.getCode(), r.toString());
            for (ScanEntry e : r.getEntriesList()) {
                seen.add(e.getKey().toStringUtf8());
                assertEquals(bytes("v-" + e.getKey().toStringUtf8()), e.getValue());
            }
            more = r.getMore();
            after = r.getResumeAfter().toStringUtf8();
        }
        List<String> expected = new ArrayList<>(keys);
        expected.remove(1);
        expected.sort(null);
        assertEquals(expected, seen, "every live key once, in key order");
    }

    @Test
    void onlyTheTailAnswersAndWithWhatItCommitted() {
        ChainHarness h = ChainHarness.threeChain();
        List<String> keys = keysOfOnePartition(2);
        h.put("a", keys.get(0), "old");
        h.deliverAll();
        assertEquals(ErrorCode.NOT_RESPONSIBLE,
                h.scanReply(h.scan("a", page(keys.get(0), "", 10))).getCode());
        h.put("a", keys.get(0), "new");
        h.deliver("a", "b");
        // The middle has the new value, the tail not yet: the tail's page shows the old one.
        ScanResponse atTail = h.scanReply(h.scan("c", page(keys.get(0), "", 10)));
        assertEquals(bytes("old"), atTail.getEntries(0).getValue());
        assertFalse(atTail.getMore());
    }

    @Test
    void badPagesAreRefusedWithOneLine() {
        ChainHarness h = ChainHarness.threeChain();
        ScanResponse zero = h.scanReply(h.scan("c", page("k0", "", 0)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, zero.getCode());
        assertTrue(zero.getMessage().contains("between 1 and 1000"), zero.getMessage());
        ScanResponse big = h.scanReply(h.scan("c", page("k0", "", 1001)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, big.getCode());
    }

    @Test
    void aPageEndsOnceItsValuesReachAMebibyteAndResumesFromThere() {
        ChainHarness h = ChainHarness.threeChain();
        List<String> keys = keysOfOnePartition(4);
        String big = "x".repeat(400 * 1024);
        for (String k : keys) {
            h.put("a", k, big);
        }
        h.deliverAll();
        ScanResponse first = h.scanReply(h.scan("c", page(keys.get(0), "", 10)));
        assertEquals(ErrorCode.OK, first.getCode());
        assertEquals(2, first.getEntriesCount(), "two of 400 KiB fit a page, three do not");
        assertTrue(first.getMore());
        ScanResponse rest = h.scanReply(h.scan("c", page(keys.get(0),
                first.getResumeAfter().toStringUtf8(), 10)));
        assertEquals(2, rest.getEntriesCount());
        assertFalse(rest.getMore());
    }
}
