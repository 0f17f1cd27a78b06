package org.gtstore.dataserver.storage;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gtstore.proto.Update;

/**
 * What one {@link StoreBatch} changed besides the values: the partitions it reset, the new last
 * applied seqs and the dedup entries it added. A store writes one such record per batch, next to
 * the values in the same atomic write, so a replicated write costs one value record plus its
 * share of the batch's journal record (instead of a dedup record, an applied-seq record and
 * later a dedup deletion of its own).
 *
 * <p>Encoding (protobuf varints, no field tags; a store never reads a record written by another
 * layout): the reset count and partitions, the applied-seq count and (partition, seq) pairs, the
 * dedup count and per entry partition, client id (length-prefixed UTF-8), request id, seq and
 * the key the request wrote (length-prefixed).
 */
record JournalRecord(long journal, List<Integer> resets, Map<Integer, Long> appliedSeqs,
        List<StoredDedup> dedup) {

    /**
     * Encodes the record of a batch: its resets and seqs, and the dedup entries it adds (one per
     * update that is not a copy and has a client id, then {@link StoreBatch#dedupAdded()}).
     */
    static byte[] encode(StoreBatch b) {
        int size = 15 + 15 * (b.resets().size() + b.appliedSeqs().size());
        int dedupCount = b.dedupAdded().size();
        for (Update u : b.updates()) {
            if (addsDedup(u)) {
                dedupCount++;
                size += 40 + u.getClientIdBytes().size() + u.getKey().size();
            }
        }
        for (StoredDedup d : b.dedupAdded()) {
            size += 40 + d.clientId().length() * 3 + d.key().size();
        }
        byte[] buf = new byte[size];
        CodedOutputStream out = CodedOutputStream.newInstance(buf);
        try {
            out.writeUInt32NoTag(b.resets().size());
            for (int p : b.resets()) {
                out.writeUInt32NoTag(p);
            }
            out.writeUInt32NoTag(b.appliedSeqs().size());
            for (Map.Entry<Integer, Long> e : b.appliedSeqs().entrySet()) {
                out.writeUInt32NoTag(e.getKey());
                out.writeUInt64NoTag(e.getValue());
            }
            out.writeUInt32NoTag(dedupCount);
            for (Update u : b.updates()) {
                if (addsDedup(u)) {
                    writeDedup(out, u.getPartition(), u.getClientIdBytes(), u.getRequestId(),
                            u.getSeq(), u.getKey());
                }
            }
            for (StoredDedup d : b.dedupAdded()) {
                writeDedup(out, d.partition(), ByteString.copyFromUtf8(d.clientId()),
                        d.requestId(), d.seq(), d.key());
            }
        } catch (IOException e) {
            throw new IllegalStateException("journal record larger than its estimate", e);
        }
        return Arrays.copyOf(buf, out.getTotalBytesWritten());
    }

    /** True if the update's request is remembered for dedup: not a copy, with a client id. */
    static boolean addsDedup(Update u) {
        return !u.getCopied() && !u.getClientIdBytes().isEmpty();
    }

    private static void writeDedup(CodedOutputStream out, int partition, ByteString clientId,
            long requestId, long seq, ByteString key) throws IOException {
        out.writeUInt32NoTag(partition);
        out.writeBytesNoTag(clientId);
        out.writeUInt64NoTag(requestId);
        out.writeUInt64NoTag(seq);
        out.writeBytesNoTag(key);
    }

    static JournalRecord decode(long journal, byte[] raw) {
        CodedInputStream in = CodedInputStream.newInstance(raw);
        try {
            int resetCount = in.readUInt32();
            List<Integer> resets = new ArrayList<>(resetCount);
            for (int i = 0; i < resetCount; i++) {
                resets.add(in.readUInt32());
            }
            int seqCount = in.readUInt32();
            Map<Integer, Long> seqs = new HashMap<>();
            for (int i = 0; i < seqCount; i++) {
                seqs.put(in.readUInt32(), in.readUInt64());
            }
            int dedupCount = in.readUInt32();
            List<StoredDedup> dedup = new ArrayList<>(dedupCount);
            for (int i = 0; i < dedupCount; i++) {
                int partition = in.readUInt32();
                String clientId = in.readStringRequireUtf8();
                long requestId = in.readUInt64();
                long seq = in.readUInt64();
                ByteString key = in.readBytes();
                dedup.add(new StoredDedup(partition, clientId, requestId, seq, key, journal));
            }
            if (!in.isAtEnd()) {
                throw new StoreException("journal record " + journal + " has trailing bytes", null);
            }
            return new JournalRecord(journal, resets, seqs, dedup);
        } catch (IOException e) {
            throw new StoreException("journal record " + journal + " is corrupt: "
                    + e.getMessage(), e);
        }
    }

    /** The checkpoint: the journal number it covers, then every partition's applied seq. */
    static byte[] encodeCheckpoint(long journal, Map<Integer, Long> appliedSeqs) {
        byte[] buf = new byte[10 + 5 + 15 * appliedSeqs.size()];
        CodedOutputStream out = CodedOutputStream.newInstance(buf);
        try {
            out.writeUInt64NoTag(journal);
            out.writeUInt32NoTag(appliedSeqs.size());
            for (Map.Entry<Integer, Long> e : appliedSeqs.entrySet()) {
                out.writeUInt32NoTag(e.getKey());
                out.writeUInt64NoTag(e.getValue());
            }
        } catch (IOException e) {
            throw new IllegalStateException("checkpoint larger than its estimate", e);
        }
        return Arrays.copyOf(buf, out.getTotalBytesWritten());
    }

    /** A decoded checkpoint: the applied seqs as of journal record {@code journal}. */
    record Checkpoint(long journal, Map<Integer, Long> appliedSeqs) {
        static final Checkpoint NONE = new Checkpoint(0, Map.of());

        static Checkpoint decode(byte[] raw) {
            CodedInputStream in = CodedInputStream.newInstance(raw);
            try {
                long journal = in.readUInt64();
                int n = in.readUInt32();
                Map<Integer, Long> seqs = new HashMap<>();
                for (int i = 0; i < n; i++) {
                    seqs.put(in.readUInt32(), in.readUInt64());
                }
                return new Checkpoint(journal, seqs);
            } catch (IOException e) {
                throw new StoreException("checkpoint is corrupt: " + e.getMessage(), e);
            }
        }
    }
}
