package org.gtstore.gtctl.kv;

import java.util.List;

/**
 * One scan page as gtctl prints it: its entries in scan order and the cursor of the next page
 * (null when the scan is over).
 */
public record ScanOutcome(List<Entry> entries, String nextCursor) {
    public ScanOutcome {
        entries = List.copyOf(entries);
    }

    /** One key, its value (empty with keys only) and version. */
    public record Entry(String key, String value, long version) {
    }
}
