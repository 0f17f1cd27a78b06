package org.gtstore.client.internal;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.gtstore.client.GtStoreException;
import org.gtstore.client.InvalidRequestException;
import org.gtstore.client.ScanEntry;
import org.gtstore.client.ScanPage;
import org.gtstore.proto.Limits;
import org.gtstore.proto.ScanRequest;

/**
 * Scans every partition in turn, each in key order, one page request at a time to its tail
 * (each retried by the dispatcher like a get), until the page holds {@code limit} entries or
 * the last partition ends. A key present and unchanged throughout a scan appears exactly once:
 * the cursor (partition, last key read) only moves forward, whichever replica answers.
 *
 * <p>The cursor is the URL-safe Base64 of a format byte, the partition (4 bytes) and the last
 * key read; it continues a scan with the same prefix.
 */
public final class Scanner {
    private static final byte CURSOR_FORMAT = 1;

    private final Dispatcher dispatcher;

    public Scanner(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    /** The page after {@code cursor} (null: the first page). */
    public CompletableFuture<ScanPage> page(ByteString prefix, String cursor, int limit,
            boolean keysOnly) {
        int max = Limits.SCAN_ENTRIES_MAX_VALUE;
        if (limit < 1 || limit > max) {
            throw new InvalidRequestException("a scan page holds 1 to " + max
                    + " entries, not " + limit);
        }
        RequestLimits.checkKey(Math.max(1, prefix.size()));
        Position start = cursor == null ? new Position(0, ByteString.EMPTY) : decode(cursor);
        return dispatcher.partitions().thenCompose(partitions -> {
            if (partitions == 0) {
                throw new GtStoreException("the cluster has no partitions assigned yet: is it"
                        + " still starting? (gtctl cluster status)");
            }
            if (start.partition() >= partitions && cursor != null) {
                throw new InvalidRequestException("the scan cursor names partition "
                        + start.partition() + " of a map with " + partitions);
            }
            List<ScanEntry> entries = new ArrayList<>();
            return next(prefix, start, limit, keysOnly, partitions, entries);
        });
    }

    private CompletableFuture<ScanPage> next(ByteString prefix, Position at, int limit,
            boolean keysOnly, int partitions, List<ScanEntry> entries) {
        if (at.partition() >= partitions) {
            return CompletableFuture.completedFuture(new ScanPage(entries, null));
        }
        ScanRequest request = ScanRequest.newBuilder().setPartition(at.partition())
                .setPrefix(prefix).setAfterKey(at.afterKey())
                .setLimit(limit - entries.size()).setKeysOnly(keysOnly).build();
        return dispatcher.scan(request).thenCompose(r -> {
            if (r.getMore() && r.getEntriesCount() == 0
                    && r.getResumeAfter().equals(at.afterKey())) {
                throw new GtStoreException("partition " + at.partition() + " answered a scan"
                        + " page that does not move past " + KeyText.of(at.afterKey()));
            }
            for (org.gtstore.proto.ScanEntry e : r.getEntriesList()) {
                entries.add(new ScanEntry(e.getKey().toByteArray(), e.getValue().toByteArray(),
                        e.getVersion()));
            }
            Position after = r.getMore() ? new Position(at.partition(), r.getResumeAfter())
                    : new Position(at.partition() + 1, ByteString.EMPTY);
            if (entries.size() == limit) {
                return CompletableFuture.completedFuture(new ScanPage(entries,
                        after.partition() >= partitions ? null : encode(after)));
            }
            return next(prefix, after, limit, keysOnly, partitions, entries);
        });
    }

    /** Where a scan goes on: after {@code afterKey} (empty: from the start) of a partition. */
    record Position(int partition, ByteString afterKey) {
    }

    /**
     * The cursor of a scan that goes on after {@code afterKey} in {@code partition}, then
     * through the partitions after it (the YCSB binding starts its range scans this way).
     */
    public static String cursorAfter(int partition, ByteString afterKey) {
        return encode(new Position(partition, afterKey));
    }

    static String encode(Position p) {
        ByteBuffer b = ByteBuffer.allocate(5 + p.afterKey().size());
        b.put(CURSOR_FORMAT).putInt(p.partition()).put(p.afterKey().asReadOnlyByteBuffer());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    static Position decode(String cursor) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(cursor);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("not a scan cursor: " + cursor);
        }
        if (raw.length < 5 || raw[0] != CURSOR_FORMAT
                || raw.length - 5 > Limits.KEY_BYTES_MAX_VALUE) {
            throw new InvalidRequestException("not a scan cursor: " + cursor);
        }
        ByteBuffer b = ByteBuffer.wrap(raw, 1, raw.length - 1);
        int partition = b.getInt();
        if (partition < 0) {
            throw new InvalidRequestException("not a scan cursor: " + cursor);
        }
        return new Position(partition, ByteString.copyFrom(raw, 5, raw.length - 5));
    }
}
