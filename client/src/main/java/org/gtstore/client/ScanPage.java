package org.gtstore.client;

import java.util.List;
import java.util.Optional;

/**
 * One page of a scan: its entries in scan order (partition by partition, each in key order)
 * and, unless the scan is over, the opaque cursor that continues it with the same prefix.
 */
public final class ScanPage {
    private final List<ScanEntry> entries;
    private final String nextCursor;

    /** A page of these entries; {@code nextCursor} null on the last page. */
    public ScanPage(List<ScanEntry> entries, String nextCursor) {
        this.entries = List.copyOf(entries);
        this.nextCursor = nextCursor;
    }

    /** The page's entries (unmodifiable; may be empty on a page that is not the last). */
    public List<ScanEntry> entries() {
        return entries;
    }

    /** The cursor of the next page; empty when every partition has been read to its end. */
    public Optional<String> nextCursor() {
        return Optional.ofNullable(nextCursor);
    }

    @Override
    public String toString() {
        return entries.size() + " entries" + (nextCursor == null ? ", last page" : "");
    }
}
