package org.gtstore.dataserver.storage;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;

/**
 * The on-disk layout. Data keys are {@code partition (4 bytes, big-endian) + key}, so one
 * partition is one contiguous key range (a prefix scan serves copies and statistics). Values are
 * {@code version (8 bytes, big-endian) + flags (1 byte: bit 0 tombstone, bit 1 expires) +
 * [expires at, 8 bytes, if bit 1] + value bytes}. Expiry index keys are
 * {@code expires at (8) + partition (4) + version (8) + key}, values empty, so the due entries
 * of every partition are one range from the start ({@link #expiryKey}).
 * Metadata keys are the partition plus a marker byte ('J' join epoch, 'H' commit hold), holding
 * an 8-byte number, and the one-byte {@link #CHECKPOINT_KEY}. Journal keys are the record's
 * 8-byte number ({@link #journalKey}).
 */
final class KeyCodec {
    static final int PARTITION_BYTES = 4;
    static final byte JOIN_EPOCH_MARKER = 'J';
    static final byte COMMIT_HOLD_MARKER = 'H';
    static final byte LINEAGE_MARKER = 'L';
    /** The meta key of the journal's checkpoint (see {@link Journal}). */
    static final byte[] CHECKPOINT_KEY = {'C'};
    private static final int VALUE_HEADER_BYTES = 9;
    private static final byte TOMBSTONE = 1;
    private static final byte EXPIRES = 2;
    private static final int EXPIRY_KEY_HEADER_BYTES = Long.BYTES + PARTITION_BYTES + Long.BYTES;

    private KeyCodec() {
    }

    static byte[] dataKey(int partition, ByteString key) {
        byte[] out = new byte[PARTITION_BYTES + key.size()];
        writeInt(out, partition);
        key.copyTo(out, PARTITION_BYTES);
        return out;
    }

    static byte[] partitionPrefix(int partition) {
        byte[] out = new byte[PARTITION_BYTES];
        writeInt(out, partition);
        return out;
    }

    /** The first key after every key of the partition (the next partition's prefix). */
    static byte[] partitionEnd(int partition) {
        byte[] out = new byte[PARTITION_BYTES + 1];
        writeInt(out, partition);
        out[PARTITION_BYTES] = (byte) 0xff;
        return partition == Integer.MAX_VALUE ? out : partitionPrefix(partition + 1);
    }

    /** The meta key of a partition's join epoch: the partition and one marker byte. */
    static byte[] joinEpochKey(int partition) {
        return markedKey(partition, JOIN_EPOCH_MARKER);
    }

    /** The meta key of a partition's commit hold: the partition and one marker byte. */
    static byte[] commitHoldKey(int partition) {
        return markedKey(partition, COMMIT_HOLD_MARKER);
    }

    /** The meta key of a partition's lineage: the partition and one marker byte. */
    static byte[] lineageKey(int partition) {
        return markedKey(partition, LINEAGE_MARKER);
    }

    private static byte[] markedKey(int partition, byte marker) {
        byte[] out = new byte[PARTITION_BYTES + 1];
        writeInt(out, partition);
        out[PARTITION_BYTES] = marker;
        return out;
    }

    static int partitionOf(byte[] dataKey) {
        return ByteBuffer.wrap(dataKey, 0, PARTITION_BYTES).getInt();
    }

    static ByteString userKey(byte[] dataKey) {
        return ByteString.copyFrom(dataKey, PARTITION_BYTES, dataKey.length - PARTITION_BYTES);
    }

    static byte[] encodeValue(long version, boolean tombstone, ByteString value) {
        return encodeValue(version, tombstone, value, 0);
    }

    /** A value with its expiry ({@code expiresAtMs}, 0: never; a tombstone has none). */
    static byte[] encodeValue(long version, boolean tombstone, ByteString value,
            long expiresAtMs) {
        boolean expires = !tombstone && expiresAtMs != 0;
        int header = VALUE_HEADER_BYTES + (expires ? Long.BYTES : 0);
        byte[] out = new byte[header + (tombstone ? 0 : value.size())];
        ByteBuffer b = ByteBuffer.wrap(out).putLong(version)
                .put((byte) ((tombstone ? TOMBSTONE : 0) | (expires ? EXPIRES : 0)));
        if (expires) {
            b.putLong(expiresAtMs);
        }
        if (!tombstone) {
            value.copyTo(out, header);
        }
        return out;
    }

    static StoredValue decodeValue(byte[] raw) {
        if (raw.length < VALUE_HEADER_BYTES) {
            throw new IllegalStateException("corrupt stored value of " + raw.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        long version = b.getLong();
        byte flags = b.get();
        boolean tombstone = (flags & TOMBSTONE) != 0;
        long expiresAtMs = 0;
        int header = VALUE_HEADER_BYTES;
        if ((flags & EXPIRES) != 0) {
            if (raw.length < VALUE_HEADER_BYTES + Long.BYTES) {
                throw new IllegalStateException("corrupt stored value of " + raw.length
                        + " bytes with an expiry");
            }
            expiresAtMs = b.getLong();
            header += Long.BYTES;
        }
        ByteString value = ByteString.copyFrom(raw, header, raw.length - header);
        return new StoredValue(value, version, tombstone, expiresAtMs);
    }

    /** The expiry index key of an entry (see the class comment). */
    static byte[] expiryKey(ExpiryEntry e) {
        byte[] out = new byte[EXPIRY_KEY_HEADER_BYTES + e.key().size()];
        ByteBuffer.wrap(out).putLong(e.expiresAtMs()).putInt(e.partition()).putLong(e.version());
        e.key().copyTo(out, EXPIRY_KEY_HEADER_BYTES);
        return out;
    }

    /** The first expiry index key after every entry due at {@code nowMs}. */
    static byte[] expiryKeysAfter(long nowMs) {
        return ByteBuffer.allocate(Long.BYTES).putLong(nowMs + 1).array();
    }

    static ExpiryEntry expiryEntry(byte[] raw) {
        if (raw.length <= EXPIRY_KEY_HEADER_BYTES) {
            throw new IllegalStateException("corrupt expiry index key of " + raw.length
                    + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        return new ExpiryEntry(b.getLong(), b.getInt(), b.getLong(), ByteString.copyFrom(raw,
                EXPIRY_KEY_HEADER_BYTES, raw.length - EXPIRY_KEY_HEADER_BYTES));
    }

    /** The version of an encoded value, without copying the value bytes. */
    static long versionOf(byte[] raw) {
        if (raw.length < VALUE_HEADER_BYTES) {
            throw new IllegalStateException("corrupt stored value of " + raw.length + " bytes");
        }
        return ByteBuffer.wrap(raw).getLong();
    }

    /** A journal record's key: its number, 8 bytes big-endian, so records sort by number. */
    static byte[] journalKey(long journal) {
        return seqValue(journal);
    }

    static byte[] seqValue(long seq) {
        return ByteBuffer.allocate(Long.BYTES).putLong(seq).array();
    }

    static long seqOf(byte[] raw) {
        return ByteBuffer.wrap(raw).getLong();
    }

    private static void writeInt(byte[] out, int v) {
        out[0] = (byte) (v >>> 24);
        out[1] = (byte) (v >>> 16);
        out[2] = (byte) (v >>> 8);
        out[3] = (byte) v;
    }
}
