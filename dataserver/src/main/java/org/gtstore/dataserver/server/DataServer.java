package org.gtstore.dataserver.server;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.gtstore.dataserver.chain.ChainReplica;
import org.gtstore.dataserver.chain.DedupRecord;
import org.gtstore.dataserver.rpc.Channels;
import org.gtstore.dataserver.rpc.DataServiceImpl;
import org.gtstore.dataserver.rpc.GrpcChainTransport;
import org.gtstore.dataserver.rpc.IoLoop;
import org.gtstore.dataserver.rpc.ServerView;
import org.gtstore.dataserver.storage.LocalStore;
import org.gtstore.dataserver.storage.RocksDbStore;
import org.gtstore.dataserver.storage.StoredDedup;
import org.gtstore.proto.GrpcCallMetrics;
import org.gtstore.proto.PassHistogram;
import org.gtstore.proto.MetricsEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One data server, wired: the RocksDB store, the {@link ChainReplica} owned by its
 * {@link ReplicaDriver}, the gRPC DataService and chain transport, and the
 * {@link MetadataSession}. Start order matters: the store is opened and the last applied seqs
 * recovered first; the port is listening before the server registers, so a neighbour told about
 * it can connect at once.
 */
public final class DataServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DataServer.class);
    /** A state-transfer chunk is cut at this size (with the window of 4: 1 MB per copy). */
    private static final int COPY_CHUNK_BYTES_MAX = 256 << 10;
    /** How long a graceful stop waits for the metadata to declare this server gone. */
    private static final long LEAVE_WAIT_MS = 1_000;
    /** Copies read at the same time; the others wait their turn. */
    private static final int COPIES_ACTIVE_MAX = 8;

    private final DataServerConfig config;
    private final LocalStore store;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService statsExecutor;
    private final LeaseHealth health;
    private final IoLoop io;
    private final MetadataSession session;
    private final ReplicaDriver driver;
    private final PartitionCopier copier;
    private final GroupCommit groupCommit;
    private final Server grpcServer;
    private final String advertisedAddress;
    /** The Prometheus endpoint; null without {@code --metrics}. */
    private final MetricsEndpoint metricsEndpoint;

    private DataServer(DataServerConfig config, Consumer<Throwable> fatalHandler,
            Function<Path, LocalStore> storeOpener) throws IOException {
        this.config = config;
        String id = config.serverId();
        boolean ranBefore = StorageId.exists(config.dataDir());
        String storageId = StorageId.loadOrCreate(config.dataDir());
        this.store = storeOpener.apply(config.dataDir().resolve("rocksdb"));
        Map<Integer, Long> applied = store.appliedSeqs();
        List<DedupRecord> dedup = new ArrayList<>();
        for (StoredDedup d : store.dedupEntries()) {
            dedup.add(new DedupRecord(d.partition(), d.clientId(), d.requestId(), d.seq(),
                    d.key(), d.journal()));
        }
        LOG.info("[{}] storage id {}, recovered last applied seqs of {} partitions and {} dedup"
                + " entries", id, storageId, applied.size(), dedup.size());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                daemon("gtstore-session-" + id));
        this.statsExecutor = Executors.newSingleThreadExecutor(daemon("gtstore-stats-" + id));
        this.session = MetadataSession.create(id, storageId, config.metadataAddresses(),
                config.metadataRpcTimeoutMs(), config.metadataCommandTimeoutMs(),
                config.metadataRetryBackoffMs(), scheduler, config.security());
        this.io = new IoLoop(id, config.security());
        ChainReplica replica = new ChainReplica(id,
                config.chain().withTickMs(config.tickIntervalMs()), new ChainReplica.Stored(
                        applied, dedup, store.joinEpochs(), store.commitHolds(),
                        store.lineages(), store.lastJournal(), ranBefore));
        this.driver = new ReplicaDriver(id, replica, store, session.lease(), session.maps(),
                io.loop(), config.driverBatchMax(), config.tickIntervalMs(), fatalHandler);
        session.maps().deliverTo(driver::offerMap, driver::epoch);
        GrpcChainTransport transport = new GrpcChainTransport(id, driver, session.reports(),
                scheduler, io::channel, config.chainReconnectBackoffMinMs(),
                config.chainReconnectBackoffMaxMs());
        driver.transport(transport);
        session.clusterIdentity(new ClusterIdFile(config.dataDir(), reason -> fatalHandler.accept(
                new IllegalStateException(reason))));
        this.copier = new PartitionCopier(id, store, driver::offerEvent, COPY_CHUNK_BYTES_MAX,
                COPIES_ACTIVE_MAX);
        driver.copies(copier, session.reports());
        this.groupCommit = new GroupCommit(id, store, io.loop());
        driver.groupCommit(groupCommit);
        session.progressSource(driver::copyProgress);
        DataServiceImpl service = new DataServiceImpl(driver, transport, view(),
                statsExecutor);
        this.health = new LeaseHealth(session.lease());
        PrometheusRegistry registry = new PrometheusRegistry();
        boolean metrics = !config.metrics().isEmpty();
        if (metrics) {
            driver.metrics(new ReplicaMetrics(registry));
            DataServerMetrics.register(registry, driver, session.lease(), service, transport);
        }
        NettyServerBuilder builder = io.serveOn(NettyServerBuilder
                .forAddress(new InetSocketAddress(config.listenHost(), config.listenPort()),
                        config.security().serverCredentials()));
        if (metrics) {
            builder.intercept(new GrpcCallMetrics(registry));
        }
        this.grpcServer = builder
                .intercept(config.security().tokenCheck())
                .directExecutor()
                .maxInboundMessageSize(Channels.MESSAGE_BYTES_MAX)
                .addService(service)
                .addService(health.service())
                .build();
        try {
            grpcServer.start();
        } catch (IOException e) {
            io.close();
            groupCommit.close();
            store.close();
            throw new IOException("cannot listen on " + config.listenHost() + ":"
                    + config.listenPort() + ": " + e.getMessage(), e);
        }
        this.advertisedAddress = config.advertisedAddress(grpcServer.getPort());
        this.metricsEndpoint = metrics ? startMetrics(registry) : null;
    }

    /** Serves the registry on {@code --metrics}; a port that cannot be bound fails the start. */
    private MetricsEndpoint startMetrics(PrometheusRegistry registry) throws IOException {
        try {
            MetricsEndpoint e = MetricsEndpoint.start(config.metrics(), registry);
            LOG.info("[{}] metrics on port {} ({})", config.serverId(), e.port(),
                    config.metrics());
            return e;
        } catch (java.io.UncheckedIOException e) {
            grpcServer.shutdownNow();
            io.close();
            groupCommit.close();
            store.close();
            throw e.getCause();
        }
    }

    /** The port of the Prometheus endpoint, or 0 without one. */
    public int metricsPort() {
        return metricsEndpoint == null ? 0 : metricsEndpoint.port();
    }

    /**
     * Opens the store, starts serving and registers with the metadata. {@code fatalHandler}
     * gets any unexpected failure of the replica driver; in production it stops the process.
     * The first start in a JVM also rehearses the chain's map changes, in the background
     * ({@link ChainRehearsal}).
     */
    public static DataServer start(DataServerConfig config, Consumer<Throwable> fatalHandler)
            throws IOException {
        return start(config, fatalHandler, RocksDbStore::open);
    }

    /** {@link #start(DataServerConfig, Consumer)} on a store {@code storeOpener} opens. */
    static DataServer start(DataServerConfig config, Consumer<Throwable> fatalHandler,
            Function<Path, LocalStore> storeOpener) throws IOException {
        DataServer s = new DataServer(config.validate(), fatalHandler, storeOpener);
        s.copier.start();
        s.driver.start();
        s.session.start(s.advertisedAddress);
        s.health.start(s.scheduler);
        LOG.info("[{}] data server listening on {}", config.serverId(), s.advertisedAddress);
        ChainRehearsal.startOnce(config.serverId(), config.chain());
        return s;
    }

    /** host:port this server listens on and registered with. */
    public String address() {
        return advertisedAddress;
    }

    public String serverId() {
        return config.serverId();
    }

    /** The epoch of the map the replica has applied. */
    public long epoch() {
        return driver.epoch();
    }

    /** True while the metadata lease is valid (the server serves). */
    public boolean leaseValid() {
        return session.lease().leaseValidAt(System.nanoTime());
    }

    /** The store syncs of the fsync durability mode so far. */
    public long storeSyncs() {
        return groupCommit.syncs();
    }

    /** Blocks until the gRPC server terminates. */
    public void awaitTermination() throws InterruptedException {
        grpcServer.awaitTermination();
    }

    private ServerView view() {
        return new ServerView() {
            @Override
            public String serverId() {
                return config.serverId();
            }

            @Override
            public long epoch() {
                return driver.epoch();
            }

            @Override
            public long incarnation() {
                return session.incarnation();
            }

            @Override
            public Set<Integer> headedPartitions() {
                return driver.roles().headed();
            }

            @Override
            public Set<Integer> heldPartitions() {
                return driver.roles().held();
            }

            @Override
            public long liveKeys(int partition) {
                return store.countLiveKeys(partition);
            }

            @Override
            public Map<Integer, Long> appliedSeqs() {
                return store.appliedSeqs();
            }

            @Override
            public PassHistogram passes() {
                return driver.metrics().passes();
            }
        };
    }

    /**
     * A graceful stop (SIGTERM): stops serving, has the metadata declare this server gone at
     * once ({@link MetadataSession#leave}), then {@link #close}s.
     */
    public void leaveAndClose() {
        session.leave(LEAVE_WAIT_MS);
        close();
    }

    /**
     * Stops in reverse order: metadata, requests, driver, threads, I/O loop, sync thread,
     * store.
     */
    @Override
    public void close() {
        LOG.info("[{}] stopping", config.serverId());
        if (metricsEndpoint != null) {
            metricsEndpoint.close();
        }
        health.close();
        session.close();
        grpcServer.shutdownNow();
        try {
            grpcServer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        driver.close();
        // Everything that offers the driver inputs stops before the loop it offers them to.
        copier.close();
        scheduler.shutdownNow();
        io.close();
        groupCommit.close();
        statsExecutor.shutdownNow();
        try {
            statsExecutor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
