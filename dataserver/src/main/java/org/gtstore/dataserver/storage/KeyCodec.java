package org.gtstore.dataserver.storage;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The on-disk layout. Data keys are {@code partition (4 bytes, big-endian) + key}, so one
 * partition is one contiguous key range (a prefix scan serves copies and statistics). Values are
 * {@code version (8 bytes, big-endian) + flags (1 byte, bit 0 = tombstone) + value bytes}.
 * Metadata keys are the 4-byte partition; their value is the 8-byte last applied seq; the
 * partition plus a marker byte ('J' join epoch, 'H' commit hold) holds an 8-byte number. Dedup
 * keys are {@code partition (4) + client id length (2) + client id (UTF-8) + request id (8)},
 * so one partition's entries are one key range too; their value is the 8-byte seq followed by
 * the key the request wrote (only the seq in entries stored before keys were kept).
 */
final class KeyCodec {
    static final int PARTITION_BYTES = 4;
    static final byte JOIN_EPOCH_MARKER = 'J';
    static final byte COMMIT_HOLD_MARKER = 'H';
    private static final int VALUE_HEADER_BYTES = 9;
    private static final byte TOMBSTONE = 1;

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
        byte[] out = new byte[VALUE_HEADER_BYTES + (tombstone ? 0 : value.size())];
        ByteBuffer.wrap(out).putLong(version).put(tombstone ? TOMBSTONE : 0);
        if (!tombstone) {
            value.copyTo(out, VALUE_HEADER_BYTES);
        }
        return out;
    }

    static StoredValue decodeValue(byte[] raw) {
        if (raw.length < VALUE_HEADER_BYTES) {
            throw new IllegalStateException("corrupt stored value of " + raw.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        long version = b.getLong();
        boolean tombstone = (b.get() & TOMBSTONE) != 0;
        ByteString value = ByteString.copyFrom(raw, VALUE_HEADER_BYTES,
                raw.length - VALUE_HEADER_BYTES);
        return new StoredValue(value, version, tombstone);
    }

    /** The version of an encoded value, without copying the value bytes. */
    static long versionOf(byte[] raw) {
        if (raw.length < VALUE_HEADER_BYTES) {
            throw new IllegalStateException("corrupt stored value of " + raw.length + " bytes");
        }
        return ByteBuffer.wrap(raw).getLong();
    }

    static byte[] dedupKey(int partition, String clientId, long requestId) {
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        if (id.length > 0xffff) {
            throw new IllegalArgumentException("client id of " + id.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.allocate(PARTITION_BYTES + 2 + id.length + Long.BYTES);
        b.putInt(partition).putShort((short) id.length).put(id).putLong(requestId);
        return b.array();
    }

    static StoredDedup decodeDedup(byte[] key, byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(key);
        int partition = b.getInt();
        int length = b.getShort() & 0xffff;
        String clientId = new String(key, PARTITION_BYTES + 2, length, StandardCharsets.UTF_8);
        b.position(PARTITION_BYTES + 2 + length);
        // An entry written before keys were kept is the seq alone.
        ByteString written = value.length > Long.BYTES
                ? ByteString.copyFrom(value, Long.BYTES, value.length - Long.BYTES)
                : ByteString.EMPTY;
        return new StoredDedup(partition, clientId, b.getLong(), seqOf(value), written);
    }

    /** A dedup entry's value: the seq the request was applied with, then the key it wrote. */
    static byte[] dedupValue(long seq, ByteString key) {
        byte[] out = new byte[Long.BYTES + key.size()];
        ByteBuffer.wrap(out).putLong(seq);
        key.copyTo(out, Long.BYTES);
        return out;
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
