package org.gtstore.dataserver.chain;

import com.google.protobuf.ByteString;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.Limits;

/**
 * Checks client requests at the boundary, before anything changes (invariant 5): the key is
 * 1..1024 bytes, the value at most 1 MiB, and the key hashes to the partition the request names
 * (a client with a wrong partition function must not write into another partition's chain).
 */
final class RequestValidator {
    private RequestValidator() {
    }

    /** A plain message naming the bad field, or null if the request is well formed. */
    static String checkKey(ByteString key, int partition, KeyPartitioner partitioner) {
        if (key.isEmpty()) {
            return "key is empty";
        }
        if (key.size() > Limits.KEY_BYTES_MAX_VALUE) {
            return "key is " + key.size() + " bytes, more than " + Limits.KEY_BYTES_MAX_VALUE;
        }
        if (partition < 0 || partition >= partitioner.partitions()) {
            return "partition out of range: " + partition;
        }
        int expected = partitioner.partitionOf(key);
        if (expected != partition) {
            return "key belongs to partition " + expected + ", not " + partition;
        }
        return null;
    }

    /** As {@link #checkKey}, plus the value limit. */
    static String checkPut(ByteString key, ByteString value, int partition,
            KeyPartitioner partitioner) {
        if (value.size() > Limits.VALUE_BYTES_MAX_VALUE) {
            return "value is " + value.size() + " bytes, more than " + Limits.VALUE_BYTES_MAX_VALUE;
        }
        return checkKey(key, partition, partitioner);
    }
}
