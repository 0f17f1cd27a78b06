package org.gtstore.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.gtstore.client.internal.Channels;
import org.gtstore.client.internal.ClientConfig;
import org.gtstore.client.internal.DataChannels;
import org.gtstore.client.internal.Dispatcher;
import org.gtstore.client.internal.MapCache;
import org.gtstore.client.internal.MetadataClient;
import org.gtstore.client.internal.Operation;
import org.gtstore.client.internal.RequestLimits;
import org.gtstore.client.internal.RouteTable;
import org.gtstore.client.internal.Scanner;
import org.gtstore.client.internal.UnreachableReporter;
import org.gtstore.proto.Limits;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.proto.TransportSecurity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GTStore client: put, get and delete of keys, synchronously or asynchronously.
 *
 * <p>It caches the partition map and sends each request straight to the data server that must
 * serve it: a put or delete to the head of the key's chain, a get to its tail. When a server is
 * down, does not answer in time, or says the map is stale ({@code STALE_EPOCH},
 * {@code NOT_RESPONSIBLE}), the client reports it, refreshes the map from the metadata group and
 * retries with back-off until the operation's deadline; only then does it fail, with an
 * {@link OperationFailedException} saying what was tried last. A retried put is applied once:
 * every attempt carries this client's id and the same request id, and the head drops a duplicate.
 *
 * <p>Keys are 1 to 1024 bytes and values at most 1 MiB; strings are sent as UTF-8. A request
 * outside the limits throws {@link InvalidRequestException} at once (also from the async
 * methods) and sends nothing.
 *
 * <p>Threads: the async methods never block. Their futures complete on the client's network
 * threads, so a callback attached with {@code thenApply} and the like runs there: it must not
 * block (in particular it must not call the synchronous methods); use the {@code ...Async}
 * variants of {@link CompletableFuture} with your own executor for blocking work. The
 * synchronous methods are the async ones plus a wait. The client is thread-safe; share one.
 */
public final class GtStoreClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GtStoreClient.class);

    private final ClientConfig config;
    private final MetadataClient metadata;
    private final MapCache maps;
    private final Channels.EventLoops eventLoops;
    private final DataChannels channels;
    private final ScheduledExecutorService scheduler;
    private final Dispatcher dispatcher;
    private final Scanner scanner;
    private final AtomicLong nextRequestId = new AtomicLong(1);
    private final long waitMs;

    private GtStoreClient(ClientConfig config) {
        this.config = config;
        this.metadata = MetadataClient.builder().addresses(config.metadataAddresses())
                .callTimeout(config.metadataCallTimeout()).clientId(config.clientId())
                .security(config.security()).build();
        this.maps = new MapCache(metadata::getMapAsync);
        this.eventLoops = config.eventLoopThreads() > 0
                ? new Channels.EventLoops(config.eventLoopThreads()) : null;
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "gtstore-client-retry");
            t.setDaemon(true);
            return t;
        });
        s.setRemoveOnCancelPolicy(true);
        this.scheduler = Executors.unconfigurableScheduledExecutorService(s);
        TransportSecurity security = config.security();
        this.channels = new DataChannels(eventLoops != null ? a -> eventLoops.open(a, security)
                : a -> Channels.open(a, security),
                config.clientId(), eventLoops != null ? eventLoops.executor() : Runnable::run,
                scheduler);
        UnreachableReporter reporter = new UnreachableReporter(metadata::reportUnreachableAsync);
        maps.onNewMap(t -> {
            channels.retainOnly(liveAddresses(t.map()));
            reporter.forgetBefore(t.epoch());
        });
        this.dispatcher = new Dispatcher(config, maps, channels, reporter, scheduler,
                GetResult::new);
        this.scanner = new Scanner(dispatcher);
        // The synchronous calls wait for the async ones, which end by their deadline; the
        // margin covers a metadata call that straddles it.
        this.waitMs = config.deadline().toMillis() + config.metadataCallTimeout().toMillis()
                * (config.metadataAddresses().size() + 2L);
        // Fetch the map now, so the first request does not wait for it (it joins this fetch).
        maps.refresh(1).whenComplete((t, err) -> {
            if (err != null) {
                LOG.debug("first map fetch failed; the first request will retry it", err);
            }
        });
    }

    /** A builder; {@link Builder#metadataAddresses} is the one setting without a default. */
    public static Builder builder() {
        return new Builder();
    }

    /** This client instance's id, sent with every put: the given id and a random suffix. */
    public String clientId() {
        return config.clientId();
    }

    // ---- Synchronous API ----

    /** Writes the value through the key's chain; returns once the whole chain has it. */
    public PutResult put(String key, String value) {
        return await(putAsync(key, value));
    }

    /** {@link #put(String, String)} with raw bytes. */
    public PutResult put(byte[] key, byte[] value) {
        return await(putAsync(key, value));
    }

    /** The key's committed value; {@link GetResult#found()} is false if it has none. */
    public GetResult get(String key) {
        return await(getAsync(key));
    }

    /** {@link #get(String)} with a raw key. */
    public GetResult get(byte[] key) {
        return await(getAsync(key));
    }

    /** Deletes the key (a write of a tombstone through the chain). */
    public PutResult delete(String key) {
        return await(deleteAsync(key));
    }

    /** {@link #delete(String)} with a raw key. */
    public PutResult delete(byte[] key) {
        return await(deleteAsync(key));
    }

    /**
     * A compare-and-set put: writes only if {@code condition} holds for the key's latest
     * version; otherwise writes nothing and the result gives the key's committed version and
     * value. Linearizable with every other operation of the key; a retry inside the client
     * never turns a write that was made into a conflict.
     */
    public ConditionalResult put(String key, String value, Condition condition) {
        return await(putAsync(key, value, condition));
    }

    /** {@link #put(String, String, Condition)} with raw bytes. */
    public ConditionalResult put(byte[] key, byte[] value, Condition condition) {
        return await(putAsync(key, value, condition));
    }

    /**
     * A put whose value expires {@code ttl} after the head of its chain accepts it (at least
     * 1 ms, at most ten years): from then on no get, scan or condition sees it, and the head
     * deletes it through the chain. A later put without a TTL keeps the key for good. Expiry is
     * judged on the servers' wall clocks, assumed to agree within NTP's skew.
     */
    public PutResult put(String key, String value, Duration ttl) {
        return await(putAsync(key, value, ttl));
    }

    /** {@link #put(String, String, Duration)} with raw bytes. */
    public PutResult put(byte[] key, byte[] value, Duration ttl) {
        return await(putAsync(key, value, ttl));
    }

    /** A compare-and-set put whose value expires {@code ttl} after it is written. */
    public ConditionalResult put(String key, String value, Condition condition, Duration ttl) {
        return await(putAsync(key, value, condition, ttl));
    }

    /** {@code put(key, value, Condition.ifAbsent())}. */
    public ConditionalResult putIfAbsent(String key, String value) {
        return put(key, value, Condition.ifAbsent());
    }

    /** A compare-and-set delete: deletes only if {@code condition} holds (see put). */
    public ConditionalResult delete(String key, Condition condition) {
        return await(deleteAsync(key, condition));
    }

    /** {@link #delete(String, Condition)} with a raw key. */
    public ConditionalResult delete(byte[] key, Condition condition) {
        return await(deleteAsync(key, condition));
    }

    // ---- Asynchronous API ----

    /** {@link #put(String, String, Condition)} without blocking. */
    public CompletableFuture<ConditionalResult> putAsync(String key, String value,
            Condition condition) {
        Objects.requireNonNull(key, "key == null");
        Objects.requireNonNull(value, "value == null");
        return writeIf(Operation.Type.PUT, utf8(key), utf8(value), condition);
    }

    /** {@link #put(byte[], byte[], Condition)} without blocking. */
    public CompletableFuture<ConditionalResult> putAsync(byte[] key, byte[] value,
            Condition condition) {
        Objects.requireNonNull(key, "key == null");
        Objects.requireNonNull(value, "value == null");
        return writeIf(Operation.Type.PUT, ByteString.copyFrom(key), ByteString.copyFrom(value),
                condition);
    }

    /** {@link #put(String, String, Condition, Duration)} without blocking. */
    public CompletableFuture<ConditionalResult> putAsync(String key, String value,
            Condition condition, Duration ttl) {
        Objects.requireNonNull(key, "key == null");
        Objects.requireNonNull(value, "value == null");
        Objects.requireNonNull(ttl, "ttl == null");
        return writeIf(Operation.Type.PUT, utf8(key), utf8(value), condition, ttl);
    }

    /** {@link #put(String, String, Duration)} without blocking. */
    public CompletableFuture<PutResult> putAsync(String key, String value, Duration ttl) {
        Objects.requireNonNull(key, "key == null");
        Objects.requireNonNull(value, "value == null");
        Objects.requireNonNull(ttl, "ttl == null");
        return write(Operation.Type.PUT, utf8(key), utf8(value), ttl);
    }

    /** {@link #put(byte[], byte[], Duration)} without blocking. */
    public CompletableFuture<PutResult> putAsync(byte[] key, byte[] value, Duration ttl) {
        Objects.requireNonNull(key, "key == null");
        Objects.requireNonNull(value, "value == null");
        Objects.requireNonNull(ttl, "ttl == null");
        return write(Operation.Type.PUT, ByteString.copyFrom(key), ByteString.copyFrom(value),
                ttl);
    }

    /** {@link #delete(String, Condition)} without blocking. */
    public CompletableFuture<ConditionalResult> deleteAsync(String key, Condition condition) {
        Objects.requireNonNull(key, "key == null");
        return writeIf(Operation.Type.DELETE, utf8(key), ByteString.EMPTY, condition);
    }

    /** {@link #delete(byte[], Condition)} without blocking. */
    public CompletableFuture<ConditionalResult> deleteAsync(byte[] key, Condition condition) {
        Objects.requireNonNull(key, "key == null");
        return writeIf(Operation.Type.DELETE, ByteString.copyFrom(key), ByteString.EMPTY,
                condition);
    }

    /** {@link #put(String, String)} without blocking. */
    public CompletableFuture<PutResult> putAsync(String key, String value) {
        Objects.requireNonNull(key, "key == null");
        Objects.requireNonNull(value, "value == null");
        return write(Operation.Type.PUT, utf8(key), utf8(value));
    }

    /** {@link #put(byte[], byte[])} without blocking. */
    public CompletableFuture<PutResult> putAsync(byte[] key, byte[] value) {
        Objects.requireNonNull(key, "key == null");
        Objects.requireNonNull(value, "value == null");
        return write(Operation.Type.PUT, ByteString.copyFrom(key), ByteString.copyFrom(value));
    }

    /** {@link #get(String)} without blocking. */
    public CompletableFuture<GetResult> getAsync(String key) {
        Objects.requireNonNull(key, "key == null");
        return read(utf8(key));
    }

    /** {@link #get(byte[])} without blocking. */
    public CompletableFuture<GetResult> getAsync(byte[] key) {
        Objects.requireNonNull(key, "key == null");
        return read(ByteString.copyFrom(key));
    }

    /** {@link #delete(String)} without blocking. */
    public CompletableFuture<PutResult> deleteAsync(String key) {
        Objects.requireNonNull(key, "key == null");
        return write(Operation.Type.DELETE, utf8(key), ByteString.EMPTY);
    }

    /** {@link #delete(byte[])} without blocking. */
    public CompletableFuture<PutResult> deleteAsync(byte[] key) {
        Objects.requireNonNull(key, "key == null");
        return write(Operation.Type.DELETE, ByteString.copyFrom(key), ByteString.EMPTY);
    }

    // ---- Scans ----

    /**
     * One page of the keys that start with {@code prefix} (empty: every key), at most
     * {@code limit} (1 to 1,000), continuing after {@code cursor} (null: from the start).
     * Partitions are read one after another, each in key order at its tail, so every value is
     * committed and a key present throughout the scan appears exactly once; a key written
     * during the scan may or may not appear. Keys come in no global order.
     */
    public ScanPage scan(String prefix, String cursor, int limit) {
        return await(scanAsync(prefix, cursor, limit, false));
    }

    /** As {@link #scan}; with {@code keysOnly} the entries carry no values. */
    public CompletableFuture<ScanPage> scanAsync(String prefix, String cursor, int limit,
            boolean keysOnly) {
        Objects.requireNonNull(prefix, "prefix == null");
        return scanner.page(utf8(prefix), cursor, limit, keysOnly);
    }

    // ---- Batches ----

    /** The most keys one batch takes: a bound on what one call keeps in flight. */
    public static final int BATCH_KEYS_MAX = 10_000;

    /**
     * Reads every key (each once, in the order given): one read per key at the key's tail,
     * sent together, so the keys of one server travel in as few messages as its session
     * batches allow. Each key's result or failure is its own.
     */
    public BatchResult<GetResult> getAll(Collection<String> keys) {
        return await(getAllAsync(keys));
    }

    /**
     * {@link #getAll} without blocking. A null key, or more than {@link #BATCH_KEYS_MAX}
     * keys, throws before anything is sent; otherwise the future never fails, its keys may.
     */
    public CompletableFuture<BatchResult<GetResult>> getAllAsync(Collection<String> keys) {
        List<String> distinct = Batches.keys(keys, BATCH_KEYS_MAX);
        Map<String, CompletableFuture<GetResult>> ops = new LinkedHashMap<>();
        for (String key : distinct) {
            ops.put(key, Batches.started(() -> getAsync(key)));
        }
        return Batches.collect(distinct, ops);
    }

    /**
     * Writes every entry (in the map's order): one put per key through its own chain, sent
     * together; each key is atomic on its own, and each key's result or failure is its own.
     */
    public BatchResult<PutResult> putAll(Map<String, String> entries) {
        return await(putAllAsync(entries));
    }

    /**
     * {@link #putAll} without blocking. A null key or value, or more than
     * {@link #BATCH_KEYS_MAX} entries, throws before anything is sent; otherwise the future
     * never fails, its keys may.
     */
    public CompletableFuture<BatchResult<PutResult>> putAllAsync(Map<String, String> entries) {
        Objects.requireNonNull(entries, "entries == null");
        List<String> keys = Batches.keys(entries.keySet(), BATCH_KEYS_MAX);
        for (String key : keys) {
            Objects.requireNonNull(entries.get(key), () -> "the value of " + key + " is null");
        }
        Map<String, CompletableFuture<PutResult>> ops = new LinkedHashMap<>();
        for (String key : keys) {
            String value = entries.get(key);
            ops.put(key, Batches.started(() -> putAsync(key, value)));
        }
        return Batches.collect(keys, ops);
    }

    // ---- The map ----

    /**
     * The cluster as the client's cached map shows it; the map is fetched first if the client
     * has none yet ({@link MetadataUnavailableException} if no metadata member answers).
     */
    public ClusterInfo clusterInfo() {
        PartitionMap m = map();
        List<String> live = m.getServersList().stream()
                .filter(s -> s.getState() != ServerState.DEAD).map(ServerInfo::getId).toList();
        return new ClusterInfo(m.getEpoch(), m.getSettings().getPartitions(),
                m.getSettings().getReplication(), live);
    }

    /** The cached map; fetched first if the client has none yet. */
    PartitionMap map() {
        RouteTable t = maps.current();
        return t != null ? t.map() : refreshMap();
    }

    /** Fetches the newest map from the metadata group, caches it and returns it. */
    PartitionMap refreshMap() {
        RouteTable cur = maps.current();
        PartitionMap fetched = metadata.getMap(cur == null ? 0 : cur.epoch() + 1);
        return maps.install(fetched).map();
    }

    /** Stops the client: pending operations fail and every connection is closed. */
    @Override
    public void close() {
        dispatcher.close();
        scheduler.shutdown();
        channels.close();
        if (eventLoops != null) {
            eventLoops.close();
        }
        metadata.close();
    }

    private CompletableFuture<PutResult> write(Operation.Type type, ByteString key,
            ByteString value) {
        return write(type, key, value, null);
    }

    private CompletableFuture<PutResult> write(Operation.Type type, ByteString key,
            ByteString value, Duration ttl) {
        RequestLimits.checkKey(key.size());
        RequestLimits.checkValue(value.size());
        return dispatcher.write(new Operation(type, key, value, nextRequestId.getAndIncrement(),
                false, 0, RequestLimits.ttlMs(ttl)));
    }

    private CompletableFuture<ConditionalResult> writeIf(Operation.Type type, ByteString key,
            ByteString value, Condition condition) {
        return writeIf(type, key, value, condition, null);
    }

    private CompletableFuture<ConditionalResult> writeIf(Operation.Type type, ByteString key,
            ByteString value, Condition condition, Duration ttl) {
        Objects.requireNonNull(condition, "condition == null");
        RequestLimits.checkKey(key.size());
        RequestLimits.checkValue(value.size());
        return dispatcher.writeConditional(new Operation(type, key, value,
                nextRequestId.getAndIncrement(), true, condition.version(),
                RequestLimits.ttlMs(ttl)));
    }

    private CompletableFuture<GetResult> read(ByteString key) {
        RequestLimits.checkKey(key.size());
        return dispatcher.read(new Operation(Operation.Type.GET, key, ByteString.EMPTY, 0));
    }

    private static ByteString utf8(String s) {
        return UnsafeByteOperations.unsafeWrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static Set<String> liveAddresses(PartitionMap map) {
        Set<String> live = new HashSet<>();
        for (ServerInfo s : map.getServersList()) {
            if (s.getState() != ServerState.DEAD) {
                live.add(s.getAddress());
            }
        }
        return live;
    }

    private <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(waitMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof GtStoreException g) {
                throw g;
            }
            throw new GtStoreException("unexpected failure: " + c, null, c);
        } catch (TimeoutException e) {
            throw new OperationFailedException("no result within " + waitMs
                    + " ms (deadline " + config.deadline().toMillis() + " ms)", null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GtStoreException("interrupted while waiting for a result", null, e);
        }
    }

    /** Settings for a {@link GtStoreClient}; see docs/contracts.md. */
    public static final class Builder {
        /** The servers' limit on a client id, less the instance suffix ("/" and 16 digits). */
        public static final int CLIENT_ID_BYTES_MAX = Limits.CLIENT_ID_BYTES_MAX_VALUE - 17;

        private List<String> metadataAddresses;
        private String clientId;
        private Duration requestTimeout = ClientConfig.DEFAULT_REQUEST_TIMEOUT;
        private Duration deadline = ClientConfig.DEFAULT_DEADLINE;
        private Duration metadataCallTimeout = ClientConfig.DEFAULT_METADATA_CALL_TIMEOUT;
        private int eventLoopThreads = ClientConfig.DEFAULT_EVENT_LOOP_THREADS;
        private TransportSecurity security = TransportSecurity.plaintext();

        private Builder() {
        }

        /** Every metadata member as host:rpcPort. Required. */
        public Builder metadataAddresses(List<String> metadataAddresses) {
            this.metadataAddresses = List.copyOf(metadataAddresses);
            return this;
        }

        /**
         * Names this client in the servers' logs and reports (default "client-&lt;pid&gt;"), at
         * most {@value #CLIENT_ID_BYTES_MAX} UTF-8 bytes. Every instance adds a random suffix,
         * so two clients given the same id never share request ids.
         */
        public Builder clientId(String clientId) {
            this.clientId = Objects.requireNonNull(clientId, "clientId == null");
            return this;
        }

        /** How long one attempt on one server may take (default 1 s). */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = Objects.requireNonNull(requestTimeout,
                    "requestTimeout == null");
            return this;
        }

        /** How long a whole operation may take, retries included (default 10 s). */
        public Builder deadline(Duration deadline) {
            this.deadline = Objects.requireNonNull(deadline, "deadline == null");
            return this;
        }

        /** How long one call to one metadata member may take (default 2 s). */
        public Builder metadataCallTimeout(Duration metadataCallTimeout) {
            this.metadataCallTimeout = Objects.requireNonNull(metadataCallTimeout,
                    "metadataCallTimeout == null");
            return this;
        }

        /**
         * Event-loop threads of the client's own connections to data servers (default 1; 0
         * shares gRPC's default loops, two per core). One is best on a machine with few cores;
         * a client driving many servers from a large machine may want more.
         */
        public Builder eventLoopThreads(int eventLoopThreads) {
            if (eventLoopThreads < 0) {
                throw new IllegalArgumentException("eventLoopThreads < 0: " + eventLoopThreads);
            }
            this.eventLoopThreads = eventLoopThreads;
            return this;
        }

        /**
         * Mutual TLS for every connection: this client presents {@code cert} (PEM chain) with
         * {@code key} (PEM, PKCS#8) and trusts only servers whose certificates {@code ca}
         * signed. Throws IllegalArgumentException if a file cannot be used.
         */
        public Builder tls(Path ca, Path cert, Path key) {
            this.security = TransportSecurity.fromFlags(ca.toString(), cert.toString(),
                    key.toString(), null);
            return this;
        }

        /**
         * How the connections are secured, as the processes' flags give it ({@code --tls-*},
         * {@code --token-file}); default plaintext.
         */
        public Builder security(TransportSecurity security) {
            this.security = Objects.requireNonNull(security, "security == null");
            return this;
        }

        /** Builds the client; it starts fetching the map at once, without waiting for it. */
        public GtStoreClient build() {
            if (metadataAddresses == null) {
                throw new IllegalStateException("metadataAddresses not set");
            }
            String base = clientId != null ? clientId : "client-" + ProcessHandle.current().pid();
            int baseBytes = base.getBytes(StandardCharsets.UTF_8).length;
            if (baseBytes > CLIENT_ID_BYTES_MAX) {
                throw new IllegalArgumentException("clientId is " + baseBytes
                        + " bytes, more than " + CLIENT_ID_BYTES_MAX);
            }
            // Unique per instance even when two processes are given the same id: the servers
            // recognise a retry by (instance, request id), and tails answer the instance.
            String id = base + "/" + String.format("%016x",
                    ThreadLocalRandom.current().nextLong());
            return new GtStoreClient(new ClientConfig(metadataAddresses, id, requestTimeout,
                    deadline, metadataCallTimeout,
                    ClientConfig.DEFAULT_BACKOFF_INITIAL, ClientConfig.DEFAULT_BACKOFF_MAX,
                    eventLoopThreads, security));
        }
    }
}
