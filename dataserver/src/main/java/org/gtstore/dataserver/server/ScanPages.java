package org.gtstore.dataserver.server;

import com.google.protobuf.ByteString;
import org.gtstore.dataserver.chain.ClientReply;
import org.gtstore.dataserver.storage.LocalStore;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.ScanEntry;
import org.gtstore.proto.ScanRequest;
import org.gtstore.proto.ScanResponse;

/**
 * The answer to a scan page the replica let the store answer at the tail: the live entries
 * after the resume key, up to the limit, in key order. Deleted and expired keys are skipped
 * but read, at most {@link #EXAMINED_MAX} entries per page, so a page over a run of deletes
 * ends early with {@code more} and the key to resume after; a page also ends once its keys
 * and values reach {@link #PAGE_BYTES_MAX} (it always holds at least one entry, which fits a
 * client's message limit on its own). An entry whose version is not committed yet refuses the page
 * (UNAVAILABLE, retry), as a get of it would be refused; so does a store that fails to read.
 */
public final class ScanPages {
    /** The most entries, live or deleted, one page reads. */
    static final int EXAMINED_MAX = 10_000;
    /** The bytes of keys and values after which a page ends. */
    static final int PAGE_BYTES_MAX = 1 << 20;

    private ScanPages() {
    }

    /**
     * @param committedSeq the partition's committed seq now, after the steps whose writes the
     *     store holds (at least the one the replica saw when it took the request)
     * @param nowMs the wall clock: values expired at it are left out, as deleted ones are
     */
    public static ScanResponse answer(ClientReply.LocalScan scan, long committedSeq,
            LocalStore store, String selfId, long nowMs) {
        try {
            return read(scan, Math.max(committedSeq, scan.committedSeq()), store, selfId,
                    nowMs);
        } catch (RuntimeException e) {
            return ScanResponse.newBuilder().setCode(ErrorCode.UNAVAILABLE)
                    .setEpoch(scan.epoch()).setServerId(selfId)
                    .setMessage(selfId + " could not read partition "
                            + scan.request().getPartition() + ": " + e.getMessage()).build();
        }
    }

    private static ScanResponse read(ClientReply.LocalScan scan, long committedSeq,
            LocalStore store, String selfId, long nowMs) {
        ScanRequest q = scan.request();
        ScanResponse.Builder b = ScanResponse.newBuilder().setCode(ErrorCode.OK)
                .setEpoch(scan.epoch()).setServerId(selfId);
        int[] examined = {0};
        long[] bytes = {0};
        ByteString[] last = {q.getAfterKey()};
        ByteString[] uncommitted = {null};
        boolean[] more = {false};
        store.scan(q.getPartition(), q.getPrefix(), q.getAfterKey(), e -> {
            if (b.getEntriesCount() == q.getLimit() || examined[0] == EXAMINED_MAX) {
                more[0] = true;
                return false;
            }
            if (e.value().version() > committedSeq) {
                uncommitted[0] = e.key();
                return false;
            }
            boolean live = e.value().liveAt(nowMs);
            long size = e.key().size() + (q.getKeysOnly() ? 0 : e.value().value().size());
            if (live && b.getEntriesCount() > 0
                    && bytes[0] + size > PAGE_BYTES_MAX) {
                more[0] = true;
                return false;
            }
            examined[0]++;
            last[0] = e.key();
            if (live) {
                bytes[0] += size;
                ScanEntry.Builder entry = ScanEntry.newBuilder().setKey(e.key())
                        .setVersion(e.value().version());
                if (!q.getKeysOnly()) {
                    entry.setValue(e.value().value());
                }
                b.addEntries(entry);
            }
            return true;
        });
        if (uncommitted[0] != null) {
            return ScanResponse.newBuilder().setCode(ErrorCode.UNAVAILABLE)
                    .setEpoch(scan.epoch()).setServerId(selfId)
                    .setMessage("partition " + q.getPartition() + " on " + selfId + ": the"
                            + " latest write of a key in this page is not committed yet; retry")
                    .build();
        }
        return b.setMore(more[0]).setResumeAfter(last[0]).build();
    }
}
