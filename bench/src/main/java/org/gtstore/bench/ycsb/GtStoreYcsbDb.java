package org.gtstore.bench.ycsb;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import org.gtstore.client.Condition;
import org.gtstore.client.ConditionalResult;
import org.gtstore.client.GetResult;
import org.gtstore.client.GtStoreClient;
import org.gtstore.client.GtStoreException;
import org.gtstore.client.ScanEntry;
import org.gtstore.client.ScanPage;
import org.gtstore.client.internal.Scanner;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.TransportSecurity;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * The GTStore binding for YCSB ({@code -db org.gtstore.bench.ycsb.GtStoreYcsbDb}). Properties:
 * {@code gtstore.meta} (metadata addresses, comma-separated; required), {@code gtstore.deadline.ms}
 * (a request's deadline with its retries, default 10,000), and for a secured cluster
 * {@code gtstore.tls-ca}, {@code gtstore.tls-cert}, {@code gtstore.tls-key},
 * {@code gtstore.token-file}. Every thread's instance shares one client.
 *
 * <p>A record is one value under the key {@code table:key} ({@link RecordCodec}). An update of
 * some fields reads the record and writes it back with compare-and-set, again (after a random
 * back-off) on a conflict, for up to 10 s, so concurrent updates of one record never lose
 * each other's fields. A scan reads the start
 * key, then the keys after it in GTStore's scan order (the start key's partition in key order,
 * then the partitions after it): keys are hash partitioned, so there is no global key order,
 * and this is the range a GTStore user reads.
 */
public final class GtStoreYcsbDb extends DB {
    /** How long an update goes on retrying its compare-and-set against other writers. */
    private static final long UPDATE_RETRY_NANOS = 10_000_000_000L;
    private static final Object LOCK = new Object();
    private static GtStoreClient shared;
    private static int users;

    private GtStoreClient client;
    private KeyPartitioner partitioner;

    @Override
    public void init() throws DBException {
        Properties p = getProperties();
        String meta = p.getProperty("gtstore.meta", "");
        if (meta.isBlank()) {
            throw new DBException("set -p gtstore.meta=host:port,... (the metadata members)");
        }
        synchronized (LOCK) {
            if (shared == null) {
                try {
                    shared = GtStoreClient.builder()
                            .metadataAddresses(List.of(meta.split(",")))
                            .deadline(Duration.ofMillis(Long.parseLong(
                                    p.getProperty("gtstore.deadline.ms", "10000"))))
                            .security(TransportSecurity.fromFlags(p.getProperty("gtstore.tls-ca"),
                                    p.getProperty("gtstore.tls-cert"),
                                    p.getProperty("gtstore.tls-key"),
                                    p.getProperty("gtstore.token-file")))
                            .build();
                } catch (RuntimeException e) {
                    throw new DBException("cannot connect to GTStore at " + meta + ": "
                            + e.getMessage(), e);
                }
            }
            users++;
            client = shared;
        }
        partitioner = new KeyPartitioner(client.clusterInfo().partitions());
    }

    @Override
    public void cleanup() {
        synchronized (LOCK) {
            if (--users == 0 && shared != null) {
                shared.close();
                shared = null;
            }
        }
    }

    private static String key(String table, String key) {
        return table + ":" + key;
    }

    @Override
    public Status read(String table, String key, Set<String> fields,
            Map<String, ByteIterator> result) {
        try {
            GetResult r = client.get(key(table, key));
            if (!r.found()) {
                return Status.NOT_FOUND;
            }
            copy(RecordCodec.decode(r.value()), fields, result);
            return Status.OK;
        } catch (GtStoreException e) {
            return failed("read", key(table, key), e);
        }
    }

    @Override
    public Status scan(String table, String startKey, int count, Set<String> fields,
            Vector<HashMap<String, ByteIterator>> result) {
        try {
            String first = key(table, startKey);
            GetResult start = client.get(first);
            if (start.found()) {
                result.add(record(start.value(), fields));
            }
            byte[] firstBytes = first.getBytes(StandardCharsets.UTF_8);
            String cursor = Scanner.cursorAfter(partitioner.partitionOf(firstBytes),
                    ByteString.copyFrom(firstBytes));
            while (result.size() < count && cursor != null) {
                ScanPage page = client.scan(table + ":", cursor, Math.min(1_000,
                        count - result.size()));
                for (ScanEntry e : page.entries()) {
                    result.add(record(e.value(), fields));
                }
                cursor = page.nextCursor().orElse(null);
            }
            return Status.OK;
        } catch (GtStoreException e) {
            return failed("scan", key(table, startKey), e);
        }
    }

    @Override
    public Status update(String table, String key, Map<String, ByteIterator> values) {
        String k = key(table, key);
        Map<String, byte[]> changed = bytes(values);
        try {
            long deadline = System.nanoTime() + UPDATE_RETRY_NANOS;
            for (int attempt = 0; System.nanoTime() - deadline < 0; attempt++) {
                backOff(attempt);
                GetResult current = client.get(k);
                if (!current.found()) {
                    return Status.NOT_FOUND;
                }
                Map<String, byte[]> merged = RecordCodec.decode(current.value());
                merged.putAll(changed);
                ConditionalResult w = client.put(k.getBytes(StandardCharsets.UTF_8),
                        RecordCodec.encode(merged), Condition.ifVersion(current.version()));
                if (w.succeeded()) {
                    return Status.OK;
                }
            }
            System.err.println("update of " + k + ": other writers kept changing it for "
                    + UPDATE_RETRY_NANOS / 1_000_000_000 + " s");
            return Status.ERROR;
        } catch (GtStoreException e) {
            return failed("update", k, e);
        }
    }

    @Override
    public Status insert(String table, String key, Map<String, ByteIterator> values) {
        try {
            client.put(key(table, key).getBytes(StandardCharsets.UTF_8),
                    RecordCodec.encode(bytes(values)));
            return Status.OK;
        } catch (GtStoreException e) {
            return failed("insert", key(table, key), e);
        }
    }

    @Override
    public Status delete(String table, String key) {
        try {
            client.delete(key(table, key));
            return Status.OK;
        } catch (GtStoreException e) {
            return failed("delete", key(table, key), e);
        }
    }

    /**
     * Before the {@code attempt}th retry of a compare-and-set that lost to another writer: a
     * random pause of up to 2^attempt ms (at most 64 ms), so that the writers of a hot key
     * (YCSB's zipfian picks a few keys very often) stop colliding in lockstep.
     */
    private static void backOff(int attempt) {
        if (attempt == 0) {
            return;
        }
        long maxMs = 1L << Math.min(attempt, 6);
        try {
            Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(maxMs + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A failed operation: its reason goes to the log (YCSB counts it as ERROR). */
    private static Status failed(String op, String key, GtStoreException e) {
        System.err.println(op + " of " + key + " failed: " + e.getMessage());
        return Status.ERROR;
    }

    private static HashMap<String, ByteIterator> record(byte[] raw, Set<String> fields) {
        HashMap<String, ByteIterator> out = new HashMap<>();
        copy(RecordCodec.decode(raw), fields, out);
        return out;
    }

    private static void copy(Map<String, byte[]> record, Set<String> fields,
            Map<String, ByteIterator> out) {
        for (Map.Entry<String, byte[]> f : record.entrySet()) {
            if (fields == null || fields.contains(f.getKey())) {
                out.put(f.getKey(), new ByteArrayByteIterator(f.getValue()));
            }
        }
    }

    private static Map<String, byte[]> bytes(Map<String, ByteIterator> values) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        values.forEach((name, it) -> out.put(name, it.toArray()));
        return out;
    }
}
