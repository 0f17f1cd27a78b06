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
 * after the resume key, up to the limit, in key order. Deleted keys are skipped but read, at
 * most {@link #EXAMINED_MAX} entries per page, so a page over a run of deletes ends early with
 * {@code more} and the key to resume after. An entry whose version is not committed yet refuses
 * the page (UNAVAILABLE, retry), as a get of it would be refused.
 */
public final class ScanPages {
    /** The most entries, live or deleted, one page reads. */
    static final int EXAMINED_MAX = 10_000;

    private ScanPages() {
    }

    public static ScanResponse answer(ClientReply.LocalScan scan, LocalStore store,
            String selfId) {
        ScanRequest q = scan.request();
        ScanResponse.Builder b = ScanResponse.newBuilder().setCode(ErrorCode.OK)
                .setEpoch(scan.epoch()).setServerId(selfId);
        int[] examined = {0};
        ByteString[] last = {q.getAfterKey()};
        ByteString[] uncommitted = {null};
        boolean[] more = {false};
        store.scan(q.getPartition(), q.getPrefix(), q.getAfterKey(), e -> {
            if (b.getEntriesCount() == q.getLimit() || examined[0] == EXAMINED_MAX) {
                more[0] = true;
                return false;
            }
            if (e.value().version() > scan.committedSeq()) {
                uncommitted[0] = e.key();
                return false;
            }
            examined[0]++;
            last[0] = e.key();
            if (!e.value().tombstone()) {
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
