package org.gtstore.dataserver.server;

import io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.gtstore.dataserver.chain.CaughtUpReport;
import org.gtstore.dataserver.chain.ChainEvent;
import org.gtstore.dataserver.chain.ChainReplica;
import org.gtstore.dataserver.chain.ClientReply;
import org.gtstore.dataserver.chain.CopyCommand;
import org.gtstore.dataserver.chain.CopyStatus;
import org.gtstore.dataserver.chain.DedupRecord;
import org.gtstore.dataserver.chain.Ready;
import org.gtstore.dataserver.chain.StreamKind;
import org.gtstore.dataserver.rpc.ChainListener;
import org.gtstore.dataserver.rpc.ChainTransport;
import org.gtstore.dataserver.rpc.ClientSession;
import org.gtstore.dataserver.rpc.ClientSessions;
import org.gtstore.dataserver.rpc.RequestSink;
import org.gtstore.dataserver.storage.LocalStore;
import org.gtstore.dataserver.storage.StoreBatch;
import org.gtstore.dataserver.storage.StoredDedup;
import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.ClientBatch;
import org.gtstore.proto.ClientOp;
import org.gtstore.proto.Committed;
import org.gtstore.proto.CopyProgress;
import org.gtstore.proto.Durability;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ScanRequest;
import org.gtstore.proto.ScanResponse;
import org.gtstore.proto.ServerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the {@link ChainReplica} (Kafka's {@code KafkaRaftClientDriver}):
 * the server's I/O event loop ({@link org.gtstore.dataserver.rpc.IoLoop}).
 *
 * <p>Everything reaches the replica through one inbox: client session batches, chain messages,
 * maps, stream events and transport bookkeeping. Inputs from the loop's own I/O (client
 * sessions, chain streams) go in directly; inputs from other threads (the metadata session, the
 * copier) are handed to the loop as tasks. The first input schedules a <em>pass</em>, which
 * the loop runs after the reads it is handling, so everything that arrived in one round of I/O
 * is in the same pass. A pass steps every input (up to {@code batchMax}), ticks when due, then
 * handles the Ready: the writes of the whole pass go to the store in ONE atomic batch, and only
 * THEN are chain messages sent and clients answered. Batching is where the throughput comes
 * from: one store write, one stream message per neighbour and one flush per client serve every
 * request of the pass, and no other thread has to be woken for any of it.
 *
 * <p>Any unexpected throwable stops the driver and goes to the fatal handler, which stops the
 * process: a replica in an unknown state must not keep serving.
 */
public final class ReplicaDriver implements RequestSink, ChainListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaDriver.class);

    private record EventInput(ChainEvent event) {
    }

    /** A peer's message, and what tells its stream the driver took it (may be null). */
    private record PeerInput(ChainEvent.PeerMessage event, Runnable handled) {
    }

    private record BatchInput(ClientBatch batch, ClientSession session) {
    }

    /** How often the store's expired values are looked for ({@link ExpirySweeper}). */
    static final long EXPIRY_SWEEP_INTERVAL_MS = 1_000;

    private final String selfId;
    private final ChainReplica replica;
    private final LocalStore store;
    private final LeaseSource lease;
    private final MapFetcher mapFetcher;
    private final Consumer<Throwable> fatalHandler;
    private final int batchMax;
    private final long tickIntervalMs;
    private final EventExecutor loop;
    /** Inputs waiting for the next pass; loop thread only. */
    private final ArrayDeque<Object> inbox = new ArrayDeque<>();
    private final Executor executor = this::enqueue;
    private final Runnable passTask = this::pass;
    /** A pass is scheduled on the loop; loop thread only. */
    private boolean passScheduled;
    /** A tick is due in the next pass; loop thread only. */
    private boolean tickDue;
    /** An expiry sweep is due at the start of the next pass; loop thread only. */
    private boolean sweepDue;
    private long ticksSinceSweep;
    private final ExpirySweeper sweeper;
    /** What the driver measures; replaced by {@link #metrics} when the server has an endpoint. */
    private ReplicaMetrics metrics = new ReplicaMetrics(new PrometheusRegistry());
    /** The wall clock TTLs count on (ms since the epoch). */
    private final LongSupplier wallClock = System::currentTimeMillis;
    /** Set by {@link #start()}: until then inputs wait in the inbox; loop thread only. */
    private ScheduledFuture<?> ticker;
    /** Sessions answered in this pass, flushed once each at its end. */
    private final List<ClientSession> sessionsToFlush = new ArrayList<>();
    /** The session of each client id that registered one, for Committed replies. */
    private final ClientSessions sessions = new ClientSessions();
    private ChainTransport transport;
    private PartitionMap map;
    private boolean leaseValid;
    private volatile boolean running = true;
    private volatile long epoch;
    private volatile Ready.Roles roles = new Ready.Roles(0, Set.of(), Set.of());
    private volatile List<CopyProgress> copyProgress = List.of();
    private PartitionCopier copier;
    private ReplicaReporter reporter = ReplicaReporter.NONE;
    /** Syncs the store in the fsync durability mode; null: never sync. */
    private GroupCommit groupCommit;
    /** A Ready waits for its sync: no pass runs until it is released; loop thread only. */
    private boolean syncing;

    public ReplicaDriver(String selfId, ChainReplica replica, LocalStore store, LeaseSource lease,
            MapFetcher mapFetcher, EventExecutor loop, int batchMax, long tickIntervalMs,
            Consumer<Throwable> fatalHandler) {
        this.selfId = selfId;
        this.replica = replica;
        this.store = store;
        this.lease = lease;
        this.mapFetcher = mapFetcher;
        this.fatalHandler = fatalHandler;
        this.batchMax = batchMax;
        this.tickIntervalMs = tickIntervalMs;
        this.loop = loop;
        this.sweeper = new ExpirySweeper(store, ExpirySweeper.ENTRIES_PER_SWEEP);
    }

    /**
     * Wires the chain transport, which delivers to this driver (its {@link ChainListener}).
     * Before {@link #start()}.
     */
    public void transport(ChainTransport chainTransport) {
        this.transport = chainTransport;
    }

    /**
     * Wires the state transfer: the copier that reads chunks for this replica's copies and where
     * caught-up reports go. Before {@link #start()}.
     */
    public void copies(PartitionCopier partitionCopier, ReplicaReporter reporter) {
        this.copier = partitionCopier;
        this.reporter = reporter;
    }

    /**
     * Wires the group commit that syncs the store when the map's durability is fsync. Before
     * {@link #start()}.
     */
    void groupCommit(GroupCommit commit) {
        this.groupCommit = commit;
    }

    /** What the driver records (its pass histogram feeds GetStats). */
    public ReplicaMetrics metrics() {
        return metrics;
    }

    /** Wires the metrics the driver records into. Before {@link #start()}. */
    void metrics(ReplicaMetrics m) {
        this.metrics = m;
    }

    /**
     * Per partition this server holds as a chain member: applied seq minus committed seq,
     * the updates the tail has not acknowledged yet. Read on the loop; null if the loop did
     * not answer within {@code timeoutMs} (a scrape then leaves the lag out).
     */
    public Map<Integer, Long> chainLag(long timeoutMs) {
        try {
            return loop.submit(() -> {
                Map<Integer, Long> lag = new TreeMap<>();
                for (int p : roles.held()) {
                    lag.put(p, replica.appliedSeq(p) - replica.committedSeq(p));
                }
                return lag;
            }).get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            return null;
        }
    }

    /** Starts stepping what has arrived and ticking. */
    public void start() {
        loop.execute(() -> {
            ticker = loop.scheduleAtFixedRate(() -> {
                tickDue = true;
                if (++ticksSinceSweep * tickIntervalMs >= EXPIRY_SWEEP_INTERVAL_MS) {
                    ticksSinceSweep = 0;
                    sweepDue = true;
                }
                schedulePass();
            }, tickIntervalMs, tickIntervalMs, TimeUnit.MILLISECONDS);
            schedulePass();
        });
    }

    /** An event from another component (the copier's chunks); any thread. */
    public void offerEvent(ChainEvent event) {
        enqueue(new EventInput(event));
    }

    /** Progress of the joining replicas this server feeds, as of the last tick (any thread). */
    public List<CopyProgress> copyProgress() {
        return copyProgress;
    }

    /** The epoch of the map the replica has applied (any thread). */
    public long epoch() {
        return epoch;
    }

    /** The partitions headed and held as of the last map (any thread). */
    public Ready.Roles roles() {
        return roles;
    }

    /** A map from the metadata (any thread); older ones are ignored by the replica. */
    public void offerMap(PartitionMap newMap) {
        enqueue(new EventInput(new ChainEvent.MapChanged(newMap)));
    }

    @Override
    public void submitBatch(ClientBatch batch, ClientSession session) {
        enqueue(new BatchInput(batch, session));
    }

    @Override
    public void submitScan(ScanRequest request, StreamObserver<ScanResponse> reply) {
        enqueue(new EventInput(new ChainEvent.ClientScan(request, reply)));
    }

    @Override
    public void onChainMessage(ChainMessage message, StreamKind arrivedOn, Runnable handled) {
        enqueue(new PeerInput(new ChainEvent.PeerMessage(message, arrivedOn), handled));
    }

    @Override
    public void onPeerConnected(String peer) {
        enqueue(new EventInput(new ChainEvent.PeerConnected(peer)));
    }

    @Override
    public void onPeerDisconnected(String peer) {
        enqueue(new EventInput(new ChainEvent.PeerDisconnected(peer)));
    }

    @Override
    public Executor driverExecutor() {
        return executor;
    }

    /** Puts an input in the inbox (on the loop) and makes sure a pass will take it. */
    private void enqueue(Object input) {
        if (loop.inEventLoop()) {
            inbox.add(input);
            schedulePass();
        } else {
            try {
                loop.execute(() -> {
                    inbox.add(input);
                    schedulePass();
                });
            } catch (RejectedExecutionException e) {
                // The loop has stopped (its owner stops the offering threads first, so this is
                // a straggler): nothing is stepped any more.
                LOG.debug("[{}] input after the I/O loop stopped: dropped", selfId);
            }
        }
    }

    private void schedulePass() {
        if (!passScheduled && !syncing && ticker != null && running) {
            passScheduled = true;
            loop.execute(passTask);
        }
    }

    /** One round: step what the inbox holds, tick if due, persist, then send and answer. */
    private void pass() {
        passScheduled = false;
        if (ticker == null || !running || syncing) {
            return;
        }
        long start = System.nanoTime();
        try {
            checkLease(System.nanoTime());
            if (sweepDue) {
                // First in the pass: the store holds every applied batch (see ExpirySweeper).
                sweepDue = false;
                ChainEvent.ExpiriesDue due = sweeper.sweep(wallClock.getAsLong());
                if (sweeper.behind()) {
                    // A full page: more are due; the next sweep comes with the next tick.
                    ticksSinceSweep = EXPIRY_SWEEP_INTERVAL_MS / tickIntervalMs;
                }
                if (due != null) {
                    metrics.expiredFound(due.writes().size());
                    replica.step(due);
                }
            }
            for (int n = 0; n < batchMax; n++) {
                Object input = inbox.poll();
                if (input == null) {
                    break;
                }
                handle(input);
            }
            if (tickDue) {
                tickDue = false;
                replica.tick();
                publishProgress();
            }
            processReady();
            flushSessions();
            if (!inbox.isEmpty()) {
                schedulePass();
            }
            metrics.pass(System.nanoTime() - start);
        } catch (Throwable t) {
            fail(t);
        }
    }

    private void fail(Throwable t) {
        running = false;
        if (ticker != null) {
            ticker.cancel(false);
        }
        LOG.error("[{} epoch={}] replica driver failed; stopping the server", selfId, epoch, t);
        fatalHandler.accept(t);
    }

    private void checkLease(long now) {
        boolean valid = lease.leaseValidAt(now);
        if (valid != leaseValid) {
            leaseValid = valid;
            replica.step(new ChainEvent.LeaseChanged(valid, !valid && lease.stopping()));
        }
    }

    private void handle(Object input) {
        if (input instanceof BatchInput b) {
            stepBatch(b);
        } else if (input instanceof PeerInput p) {
            replica.step(p.event());
            if (p.handled() != null) {
                p.handled().run();
            }
        } else if (input instanceof EventInput e) {
            if (e.event() instanceof ChainEvent.MapChanged m
                    && (map == null || m.map().getEpoch() > map.getEpoch())) {
                map = m.map();
                store.logAtSyncOnly(syncsWrites());
            }
            replica.step(e.event());
        } else if (input instanceof Runnable task) {
            task.run();
        } else {
            throw new IllegalStateException("unknown driver input: " + input);
        }
    }

    /**
     * Registers the session for its client's Committed replies if the batch names the client,
     * then steps each operation with the session's handle for its answer.
     */
    private void stepBatch(BatchInput b) {
        ClientBatch batch = b.batch();
        ClientSession session = b.session();
        long nowMs = wallClock.getAsLong();
        if (!batch.getClientIdBytes().isEmpty()
                && sessions.register(batch.getClientIdBytes(), session)) {
            flushLater(session);
        }
        for (int i = 0, n = batch.getOpsCount(); i < n; i++) {
            ClientOp op = batch.getOps(i);
            if (op.hasPut()) {
                replica.step(new ChainEvent.ClientPut(op.getPut(), session.op(op.getId()),
                        nowMs));
            } else {
                replica.step(new ChainEvent.ClientGet(op.getGet(), session.op(op.getId())));
            }
        }
        session.handled(batch);
    }

    private void flushLater(ClientSession session) {
        if (session.markForFlush()) {
            sessionsToFlush.add(session);
        }
    }

    /**
     * Persist (and in the fsync mode sync, on the group commit's thread), THEN send and
     * answer, THEN tell the replica the batch is durable.
     */
    private void processReady() {
        Ready r = replica.ready();
        if (r.isEmpty()) {
            return;
        }
        if (r.hasStoreWork()) {
            long start = System.nanoTime();
            store.apply(storeBatch(r));
            metrics.storeWrite(System.nanoTime() - start);
            if (syncsWrites()) {
                syncing = true;
                groupCommit.sync(() -> afterSync(r), this::fail);
                return;
            }
        }
        release(r);
    }

    private boolean syncsWrites() {
        return groupCommit != null && map != null
                && map.getSettings().getDurability() == Durability.FSYNC;
    }

    /** The continuation of a synced Ready, on the loop. */
    private void afterSync(Ready r) {
        syncing = false;
        if (!running) {
            return;
        }
        try {
            release(r);
            schedulePass();
        } catch (Throwable t) {
            fail(t);
        }
    }

    /** What a Ready does once its writes are persisted: send, answer, report. */
    private void release(Ready r) {
        for (CopyCommand c : r.copies()) {
            // A Start snapshots the store now: after this Ready's writes, before any other.
            if (copier != null) {
                copier.submit(c);
            }
        }
        if (r.successors() != null) {
            transport.setSuccessors(addresses(r.successors()));
        }
        transport.sendAll(r.messages());
        for (ClientReply reply : r.replies()) {
            complete(reply);
        }
        flushSessions();
        replica.step(new ChainEvent.PersistDone());
        epoch = replica.epoch();
        if (r.roles() != null) {
            roles = r.roles();
        }
        if (r.mapWantedEpoch() > 0) {
            mapFetcher.wantMap(r.mapWantedEpoch());
        }
        for (CaughtUpReport c : r.caughtUp()) {
            LOG.debug("[{} p={} epoch={}] joining replica {} caught up at seq={}; reporting",
                    selfId, c.partition(), epoch, c.joining(), c.seq());
            reporter.reportCaughtUp(c);
        }
        if (!r.tips().isEmpty()) {
            reporter.reportTips(r.tips());
        }
    }

    /** Sends what each session was given in this pass, one message per session. */
    private void flushSessions() {
        for (ClientSession s : sessionsToFlush) {
            s.flush();
        }
        sessionsToFlush.clear();
    }

    /** The store's batch for a Ready's store work. */
    public static StoreBatch storeBatch(Ready r) {
        List<StoredDedup> added = List.of();
        if (!r.dedupAdded().isEmpty()) {
            added = new ArrayList<>(r.dedupAdded().size());
            for (DedupRecord d : r.dedupAdded()) {
                added.add(new StoredDedup(d.partition(), d.clientId(), d.requestId(), d.seq(),
                        d.key(), r.journal()));
            }
        }
        return new StoreBatch(r.journal(), r.journalKeepFrom(), r.resets(), r.writes(), added,
                r.appliedSeqs(), r.joinEpochs(), r.commitHolds(), r.lineages());
    }

    private void publishProgress() {
        List<CopyStatus> status = replica.copyStatus();
        if (status.isEmpty() && copyProgress.isEmpty()) {
            return;
        }
        List<CopyProgress> out = new ArrayList<>(status.size());
        for (CopyStatus st : status) {
            out.add(CopyProgress.newBuilder().setPartition(st.partition())
                    .setServerId(st.joining()).setCopiedKeys(st.copiedKeys())
                    .setTotalKeys(st.totalKeys()).build());
        }
        copyProgress = List.copyOf(out);
    }

    private Map<String, String> addresses(Set<String> ids) {
        Map<String, String> out = new HashMap<>();
        for (ServerInfo s : map.getServersList()) {
            if (ids.contains(s.getId())) {
                out.put(s.getId(), s.getAddress());
            }
        }
        if (out.size() != ids.size()) {
            LOG.warn("[{} epoch={}] successors {} without an address in the map", selfId, epoch,
                    ids);
        }
        return out;
    }

    private void complete(ClientReply reply) {
        if (reply instanceof ClientReply.Committed c) {
            ClientSession session = sessions.of(c.clientId());
            if (session != null) {
                session.committed(Committed.newBuilder().setRequestId(c.requestId())
                        .setVersion(c.version()).setPartition(c.partition())
                        .setEpoch(c.epoch()).build());
                flushLater(session);
            }
            return;
        }
        if (reply instanceof ClientReply.PutDone p) {
            ClientSession.Op op = (ClientSession.Op) p.replyTo();
            metrics.answered("put", p.response().getCode());
            op.session().answerPut(op.id(), p.response());
            flushLater(op.session());
        } else if (reply instanceof ClientReply.GetDone g) {
            ClientSession.Op op = (ClientSession.Op) g.replyTo();
            metrics.answered("get", g.response().getCode());
            op.session().answerGet(op.id(), g.response());
            flushLater(op.session());
        } else if (reply instanceof ClientReply.LocalRead read) {
            ClientSession.Op op = (ClientSession.Op) read.replyTo();
            long start = System.nanoTime();
            GetResponse answer = LocalReads.localAnswer(read,
                    store.get(read.partition(), read.key()), selfId, wallClock.getAsLong());
            metrics.getRead(System.nanoTime() - start);
            metrics.answered("get", answer.getCode());
            op.session().answerGet(op.id(), answer);
            flushLater(op.session());
        } else if (reply instanceof ClientReply.LocalScan scan) {
            long start = System.nanoTime();
            ScanResponse page = ScanPages.answer(scan,
                    replica.committedSeq(scan.request().getPartition()), store, selfId,
                    wallClock.getAsLong());
            metrics.scanRead(System.nanoTime() - start);
            metrics.answered("scan", page.getCode());
            answerScan(scan.replyTo(), page);
        } else if (reply instanceof ClientReply.ScanDone done) {
            metrics.answered("scan", done.response().getCode());
            answerScan(done.replyTo(), done.response());
        } else if (reply instanceof ClientReply.ConditionRead check) {
            enqueue(new EventInput(LocalReads.conditionAnswer(check,
                    store.get(check.partition(), check.key()), wallClock.getAsLong())));
        }
    }

    @SuppressWarnings("unchecked")
    private static void answerScan(Object replyTo, ScanResponse response) {
        StreamObserver<ScanResponse> out = (StreamObserver<ScanResponse>) replyTo;
        try {
            out.onNext(response);
            out.onCompleted();
        } catch (RuntimeException e) {
            // The caller went away (cancelled, deadline): nothing to answer.
            LOG.debug("scan answer not delivered: {}", e.toString());
        }
    }

    /**
     * Stops taking inputs and closes the streams, on the loop; the loop and the store are
     * closed by their owner, after this.
     */
    @Override
    public void close() {
        Runnable stop = () -> {
            running = false;
            if (ticker != null) {
                ticker.cancel(false);
            }
            inbox.clear();
            transport.close();
        };
        if (loop.inEventLoop()) {
            stop.run();
            return;
        }
        try {
            loop.submit(stop).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            LOG.warn("[{}] stopping the driver on its loop failed: {}", selfId, e.toString());
        }
    }
}
