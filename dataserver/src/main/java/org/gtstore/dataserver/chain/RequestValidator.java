package org.gtstore.dataserver.chain;

import com.google.protobuf.ByteString;
import org.gtstore.proto.DedupEntry;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.Limits;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.ScanRequest;
import org.gtstore.proto.Ttl;
import org.gtstore.proto.Update;

/**
 * Checks requests and chain messages at the boundary, before anything changes (invariant 5:
 * bad input gets an error and changes nothing; no request stops a server). A client request's
 * key is 1..1024 bytes, its value at most 1 MiB, its client id at most 256 bytes with a
 * positive request id when given, its TTL between 0 and ten years (none on a delete), and the
 * key hashes to the partition the request names (a client with a wrong partition function
 * must not write into another partition's chain). An
 * update or copied entry from a peer meets the same limits and carries a positive seq.
 */
final class RequestValidator {
    private RequestValidator() {
    }

    /** A plain message naming the bad field, or null if the request is well formed. */
    static String checkKey(ByteString key, int partition, KeyPartitioner partitioner) {
        String bad = checkKeyBytes(key);
        if (bad != null) {
            return bad;
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

    /**
     * As {@link #checkKey}, plus the value, client id and request id limits; a put must name
     * its client and request (the tail answers that client, and retries are recognised by them).
     */
    static String checkPut(PutRequest r, KeyPartitioner partitioner) {
        if (r.getClientIdBytes().isEmpty()) {
            return "client_id is required";
        }
        if (r.getIfVersion() < 0 || (r.getIfVersion() != 0 && !r.getConditional())) {
            return "if_version " + r.getIfVersion() + " needs conditional set and must be >= 0";
        }
        String bad = checkValueBytes(r.getValue());
        if (bad == null) {
            bad = Ttl.check(r.getTtlMs(), r.getTombstone());
        }
        if (bad == null) {
            bad = checkClient(r.getClientIdBytes(), r.getRequestId());
        }
        return bad != null ? bad : checkKey(r.getKey(), r.getPartition(), partitioner);
    }

    /** A scan page request: a plain message, or null if well formed. */
    static String checkScan(ScanRequest r, KeyPartitioner partitioner) {
        int max = Limits.SCAN_ENTRIES_MAX_VALUE;
        if (r.getLimit() < 1 || r.getLimit() > max) {
            return "scan limit " + r.getLimit() + " is not between 1 and " + max;
        }
        int keyMax = Limits.KEY_BYTES_MAX_VALUE;
        if (r.getPrefix().size() > keyMax || r.getAfterKey().size() > keyMax) {
            return "a scan prefix or resume key is longer than " + keyMax + " bytes";
        }
        if (r.getPartition() < 0 || r.getPartition() >= partitioner.partitions()) {
            return "partition " + r.getPartition() + " is not between 0 and "
                    + (partitioner.partitions() - 1);
        }
        return null;
    }

    /** An update or copied entry from a peer: a plain message, or null if well formed. */
    static String checkUpdate(Update u) {
        if (u.getSeq() <= 0) {
            return "update of partition " + u.getPartition() + " has seq " + u.getSeq();
        }
        String bad = checkKeyBytes(u.getKey());
        if (bad == null) {
            bad = checkValueBytes(u.getValue());
        }
        if (bad == null && u.getExpiresAtMs() < 0) {
            bad = "expires_at_ms is negative: " + u.getExpiresAtMs();
        }
        if (bad == null) {
            bad = checkClient(u.getClientIdBytes(), u.getRequestId());
        }
        return bad == null ? null : "update seq " + u.getSeq() + ": " + bad;
    }

    /** A dedup entry of a copy: a plain message, or null if well formed. */
    static String checkDedup(DedupEntry d) {
        if (d.getClientIdBytes().isEmpty() || d.getSeq() <= 0) {
            return "dedup entry without a client id or with seq " + d.getSeq();
        }
        String bad = checkClient(d.getClientIdBytes(), d.getRequestId());
        if (bad == null && (d.getKey().isEmpty()
                || d.getKey().size() > Limits.KEY_BYTES_MAX_VALUE)) {
            bad = "dedup entry key of " + d.getKey().size() + " bytes";
        }
        return bad;
    }

    private static String checkKeyBytes(ByteString key) {
        if (key.isEmpty()) {
            return "key is empty";
        }
        if (key.size() > Limits.KEY_BYTES_MAX_VALUE) {
            return "key is " + key.size() + " bytes, more than " + Limits.KEY_BYTES_MAX_VALUE;
        }
        return null;
    }

    private static String checkValueBytes(ByteString value) {
        if (value.size() > Limits.VALUE_BYTES_MAX_VALUE) {
            return "value is " + value.size() + " bytes, more than " + Limits.VALUE_BYTES_MAX_VALUE;
        }
        return null;
    }

    private static String checkClient(ByteString clientId, long requestId) {
        if (clientId.size() > Limits.CLIENT_ID_BYTES_MAX_VALUE) {
            return "client id is " + clientId.size() + " bytes, more than "
                    + Limits.CLIENT_ID_BYTES_MAX_VALUE;
        }
        if (!clientId.isEmpty() && requestId <= 0) {
            return "request id must be positive with a client id: " + requestId;
        }
        if (requestId < 0) {
            return "request id < 0: " + requestId;
        }
        return null;
    }
}
