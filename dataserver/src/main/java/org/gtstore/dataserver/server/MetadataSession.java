package org.gtstore.dataserver.server;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.gtstore.dataserver.rpc.Channels;
import org.gtstore.dataserver.rpc.UnreachableReporter;
import org.gtstore.dataserver.chain.CaughtUpReport;
import org.gtstore.proto.CopyProgress;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetMapRequest;
import org.gtstore.proto.GetMapResponse;
import org.gtstore.proto.HeartbeatRequest;
import org.gtstore.proto.HeartbeatResponse;
import org.gtstore.proto.MetadataServiceGrpc;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.PartitionTip;
import org.gtstore.proto.RegisterRequest;
import org.gtstore.proto.RegisterResponse;
import org.gtstore.proto.ReportCaughtUpRequest;
import org.gtstore.proto.ReportCaughtUpResponse;
import org.gtstore.proto.ReportUnreachableRequest;
import org.gtstore.proto.ReportUnreachableResponse;
import org.gtstore.proto.WatchMapRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This data server's relationship with the metadata group: registration, heartbeats to the
 * leader, the metadata lease, and the stream of maps.
 *
 * <ul>
 * <li>Register with the server id, address, storage id, the incarnation held (0 at start) and
 *     this process's id (random, picked when the session is made, the same on every
 *     Register); the answer gives the incarnation, the lease and the heartbeat interval (one
 *     setting for the whole cluster) and the map. At most one Register is in flight or waiting
 *     to be retried, and its deadline outlasts the leader's command, since the leader answers
 *     once RegisterServer applied: one Register per heartbeat refused meanwhile would each
 *     become a new incarnation and map epoch at a busy leader. The
 *     process id (and the incarnation held) lets the leader answer a repeat with the live
 *     registration, also a retry after a TIMEOUT whose command applied later.
 * <li>Heartbeat the leader every interval. A member that answers {@code NOT_LEADER} names the
 *     leader in {@code leader_hint}; a member that fails is skipped for the next one.
 * <li>Lease (fencing): an answered heartbeat extends the lease to <em>its send time</em> plus
 *     {@code lease_ms}, never its receive time, so the server stops serving no later than the
 *     leader may declare it dead. {@code UNKNOWN_SERVER} (declared dead) ends the lease at once
 *     and the server registers again as a new incarnation. {@code UNAVAILABLE}: the leader is
 *     marking this incarnation dead; the lease is not extended.
 * <li>Maps: a WatchMap stream (re-opened on another member if it fails) plus GetMap when a
 *     request, a peer or a heartbeat shows a newer epoch.
 * <li>ReportUnreachable for neighbours the chain streams cannot reach; ReportCaughtUp for
 *     joining replicas this server (their tail) has caught up, at most one per joining replica
 *     in flight to the leader, with a deadline that outlasts the leader's command (it is
 *     answered once FinishCopy applied); copy progress in heartbeats.
 * </ul>
 * All state changes run on one scheduler thread; gRPC callbacks only hop onto it.
 */
public final class MetadataSession implements LeaseSource, MapFetcher, UnreachableReporter,
        ReplicaReporter, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataSession.class);
    private static final long DEFAULT_LEASE_MS = 1500;
    private static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 250;

    private final String serverId;
    private final String storageId;
    /** Names this process to the metadata; a restarted process has another. */
    private final String processId = UUID.randomUUID().toString();
    private final List<String> members;
    private final long rpcTimeoutMs;
    private final long commandTimeoutMs;
    private final long retryBackoffMs;
    private final ScheduledExecutorService exec;
    private final Consumer<PartitionMap> mapSink;
    private final LongSupplier appliedEpoch;
    private final Map<String, ManagedChannel> channels = new HashMap<>();
    /** Caught-up reports awaiting an answer: "partition/joining/epoch" to the member asked. */
    private final Map<String, String> reportsInFlight = new HashMap<>();

    private String address;
    private String leader;
    private int cursor;
    private long leaseMs = DEFAULT_LEASE_MS;
    private long heartbeatIntervalMs = DEFAULT_HEARTBEAT_INTERVAL_MS;
    private long lastAnsweredSentNanos;
    private int heartbeatFailures;
    private ScheduledFuture<?> heartbeats;
    /** A Register is in flight or waiting to be retried: no other one is started. */
    private boolean registering;
    private long registerGeneration;
    private long watchGeneration;
    private ClientCallStreamObserver<WatchMapRequest> watchCall;
    private boolean fetchInFlight;
    private long fetchWantedEpoch;
    private boolean closed;
    private volatile boolean leaseHeld;
    private volatile long leaseExpiryNanos;
    private volatile long incarnation;
    private volatile Supplier<List<CopyProgress>> progress = List::of;
    /** Tips for the next heartbeat (see {@link #reportTips}); scheduler thread only. */
    private List<PartitionTip> pendingTips = List.of();
    private volatile ClusterIdFile cluster;

    /**
     * @param rpcTimeoutMs deadline of a metadata call
     * @param commandTimeoutMs deadline of a call answered once a Raft command applied
     */
    public MetadataSession(String serverId, String storageId, List<String> members,
            long rpcTimeoutMs, long commandTimeoutMs, long retryBackoffMs,
            ScheduledExecutorService exec, Consumer<PartitionMap> mapSink,
            LongSupplier appliedEpoch) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("no metadata members");
        }
        this.serverId = serverId;
        this.storageId = storageId;
        this.members = List.copyOf(members);
        this.rpcTimeoutMs = rpcTimeoutMs;
        this.commandTimeoutMs = commandTimeoutMs;
        this.retryBackoffMs = retryBackoffMs;
        this.exec = exec;
        this.mapSink = mapSink;
        this.appliedEpoch = appliedEpoch;
        this.leader = members.get(0);
    }

    /**
     * The data directory's cluster id, sent with every Register and recorded on the first;
     * without one the session registers as a directory that belongs to no cluster yet.
     */
    public void clusterIdentity(ClusterIdFile file) {
        this.cluster = file;
    }

    /** Registers as {@code advertisedAddress}, then heartbeats and watches maps. */
    public void start(String advertisedAddress) {
        exec.execute(() -> {
            address = advertisedAddress;
            register();
        });
    }

    @Override
    public boolean leaseValidAt(long nanoTime) {
        return leaseHeld && nanoTime - leaseExpiryNanos < 0;
    }

    /** Where heartbeats take the copy progress of the joining replicas this server feeds. */
    public void progressSource(Supplier<List<CopyProgress>> source) {
        this.progress = source;
    }

    /** The id every Register of this process carries. */
    public String processId() {
        return processId;
    }

    /** The incarnation from the last registration, 0 before. */
    public long incarnation() {
        return incarnation;
    }

    // ---- registration ----

    /** Starts registering unless a registration is already under way. */
    private void register() {
        if (closed || registering) {
            return;
        }
        registering = true;
        sendRegister();
    }

    /** One Register; its answer or failure schedules the next attempt until one is OK. */
    private void sendRegister() {
        if (closed) {
            return;
        }
        long generation = ++registerGeneration;
        String target = leader;
        long sentAt = System.nanoTime();
        RegisterRequest req = RegisterRequest.newBuilder().setServerId(serverId)
                .setAddress(address).setStorageId(storageId).setIncarnation(incarnation)
                .setProcessId(processId)
                .setClusterId(cluster == null ? "" : cluster.id()).build();
        stub(target, commandTimeoutMs).register(req, callback(
                resp -> onRegistered(generation, target, sentAt, resp),
                t -> {
                    if (generation != registerGeneration) {
                        return;
                    }
                    LOG.warn("[{}] register at {} failed: {}", serverId, target, describe(t));
                    nextMember(target);
                    exec.schedule(this::sendRegister, retryBackoffMs, TimeUnit.MILLISECONDS);
                }));
    }

    private void onRegistered(long generation, String target, long sentAt, RegisterResponse r) {
        if (closed || generation != registerGeneration) {
            return;
        }
        if (r.getCode() == ErrorCode.NOT_LEADER) {
            follow(target, r.getLeaderHint());
            exec.schedule(this::sendRegister, r.getLeaderHint().isEmpty() ? retryBackoffMs : 0,
                    TimeUnit.MILLISECONDS);
            return;
        }
        if (r.getCode() == ErrorCode.WRONG_CLUSTER && cluster != null) {
            LOG.error("[{}] {}", serverId, r.getMessage());
            closed = true;
            cluster.refused(r.getMessage());
            return;
        }
        if (r.getCode() != ErrorCode.OK) {
            LOG.warn("[{}] register at {} refused: {} {}", serverId, target, r.getCode(),
                    r.getMessage());
            exec.schedule(this::sendRegister, retryBackoffMs * 5, TimeUnit.MILLISECONDS);
            return;
        }
        if (cluster != null) {
            cluster.joined(r.getMap().getSettings().getClusterId());
        }
        registering = false;
        leader = target;
        incarnation = r.getIncarnation();
        leaseMs = r.getLeaseMs() > 0 ? r.getLeaseMs() : DEFAULT_LEASE_MS;
        heartbeatIntervalMs = r.getHeartbeatIntervalMs() > 0 ? r.getHeartbeatIntervalMs()
                : DEFAULT_HEARTBEAT_INTERVAL_MS;
        extendLease(sentAt);
        LOG.info("[{} epoch={}] registered at {} as incarnation {} (process {}, lease {} ms,"
                + " heartbeat every {} ms)", serverId, r.getMap().getEpoch(), target, incarnation,
                processId, leaseMs, heartbeatIntervalMs);
        if (r.hasMap()) {
            mapSink.accept(r.getMap());
        }
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        heartbeats = exec.scheduleAtFixedRate(this::heartbeat, heartbeatIntervalMs,
                heartbeatIntervalMs, TimeUnit.MILLISECONDS);
        watch();
    }

    // ---- heartbeats and the lease ----

    private void heartbeat() {
        if (closed) {
            return;
        }
        String target = leader;
        long sentAt = System.nanoTime();
        long inc = incarnation;
        HeartbeatRequest req = HeartbeatRequest.newBuilder().setServerId(serverId)
                .setIncarnation(inc).setMapEpoch(appliedEpoch.getAsLong())
                .addAllProgress(progress.get()).addAllTips(pendingTips).build();
        pendingTips = List.of();
        // An answer later than the lease could not extend it, so that is the deadline; a
        // shorter one would only churn between members when the machine is busy.
        stub(target).withDeadlineAfter(leaseMs, TimeUnit.MILLISECONDS).heartbeat(req, callback(
                resp -> onHeartbeat(target, sentAt, inc, resp),
                t -> {
                    if (heartbeatFailures++ == 0) {
                        LOG.warn("[{}] heartbeat to {} failed: {}", serverId, target,
                                describe(t));
                    } else {
                        LOG.debug("[{}] heartbeat to {} failed again: {}", serverId, target,
                                describe(t));
                    }
                    nextMember(target);
                }));
    }

    private void onHeartbeat(String target, long sentAt, long inc, HeartbeatResponse r) {
        if (closed || inc != incarnation) {
            return;
        }
        switch (r.getCode()) {
            case OK -> {
                if (heartbeatFailures > 0) {
                    LOG.info("[{}] heartbeats answered again by {} after {} failures", serverId,
                            target, heartbeatFailures);
                    heartbeatFailures = 0;
                }
                extendLease(sentAt);
                if (r.getMapEpoch() > appliedEpoch.getAsLong()) {
                    wantMap(r.getMapEpoch());
                }
            }
            case NOT_LEADER -> follow(target, r.getLeaderHint());
            case UNKNOWN_SERVER -> fenceAndRegister(target, inc);
            case UNAVAILABLE -> LOG.debug("[{}] {} is marking incarnation {} dead; no lease",
                    serverId, target, inc);
            default -> LOG.warn("[{}] heartbeat answered {}", serverId, r.getCode());
        }
    }

    /**
     * Declared dead: stop serving at once and register again. Heartbeats sent before the first
     * refusal are refused too, possibly all at once from a busy leader; they find the
     * registration under way and start nothing.
     */
    private void fenceAndRegister(String target, long inc) {
        leaseHeld = false;
        if (heartbeats != null) {
            heartbeats.cancel(false);
            heartbeats = null;
        }
        if (registering) {
            LOG.debug("[{}] {} refused incarnation {} again; already registering", serverId,
                    target, inc);
            return;
        }
        LOG.warn("[{}] the metadata does not know incarnation {} (declared dead):"
                + " fencing now and registering again", serverId, inc);
        register();
    }

    private void extendLease(long sentAt) {
        if (!leaseHeld || sentAt - lastAnsweredSentNanos > 0) {
            lastAnsweredSentNanos = sentAt;
            leaseExpiryNanos = sentAt + TimeUnit.MILLISECONDS.toNanos(leaseMs);
            leaseHeld = true;
        }
    }

    // ---- maps ----

    private void watch() {
        if (closed) {
            return;
        }
        long generation = ++watchGeneration;
        if (watchCall != null) {
            watchCall.cancel("re-watching", null);
        }
        String target = leader;
        WatchMapRequest req = WatchMapRequest.newBuilder()
                .setFromEpoch(appliedEpoch.getAsLong() + 1).build();
        MetadataServiceGrpc.newStub(channel(target)).watchMap(req,
                new ClientResponseObserver<WatchMapRequest, GetMapResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<WatchMapRequest> call) {
                exec.execute(() -> {
                    if (generation == watchGeneration) {
                        watchCall = call;
                    }
                });
            }

            @Override
            public void onNext(GetMapResponse r) {
                if (r.hasMap()) {
                    mapSink.accept(r.getMap());
                }
            }

            @Override
            public void onError(Throwable t) {
                exec.execute(() -> rewatch(generation, target, describe(t)));
            }

            @Override
            public void onCompleted() {
                exec.execute(() -> rewatch(generation, target, "stream ended"));
            }
        });
    }

    private void rewatch(long generation, String target, String why) {
        if (closed || generation != watchGeneration) {
            return;
        }
        LOG.warn("[{}] map watch on {} ended ({}); watching another member", serverId, target,
                why);
        nextMember(target);
        exec.schedule(() -> {
            if (generation == watchGeneration) {
                watch();
            }
        }, retryBackoffMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void wantMap(long epoch) {
        exec.execute(() -> {
            fetchWantedEpoch = Math.max(fetchWantedEpoch, epoch);
            if (!fetchInFlight && fetchWantedEpoch > appliedEpoch.getAsLong()) {
                fetchMap(members.size() + 1);
            }
        });
    }

    private void fetchMap(int attemptsLeft) {
        if (closed || attemptsLeft <= 0) {
            fetchInFlight = false;
            return;
        }
        fetchInFlight = true;
        String target = leader;
        GetMapRequest req = GetMapRequest.newBuilder().setKnownEpoch(appliedEpoch.getAsLong())
                .build();
        stub(target).getMap(req, callback(r -> {
            if (r.hasMap() && r.getMap().getEpoch() > appliedEpoch.getAsLong()) {
                mapSink.accept(r.getMap());
            }
            if (r.getMap().getEpoch() >= fetchWantedEpoch) {
                fetchInFlight = false;
                return;
            }
            // This member is behind (or not the leader): ask the next one shortly.
            follow(target, r.getLeaderHint());
            exec.schedule(() -> fetchMap(attemptsLeft - 1), retryBackoffMs,
                    TimeUnit.MILLISECONDS);
        }, t -> {
            nextMember(target);
            exec.schedule(() -> fetchMap(attemptsLeft - 1), retryBackoffMs,
                    TimeUnit.MILLISECONDS);
        }));
    }

    // ---- unreachable neighbours ----

    @Override
    public void reportUnreachable(String peer, String detail) {
        exec.execute(() -> {
            String target = leader;
            ReportUnreachableRequest req = ReportUnreachableRequest.newBuilder()
                    .setReporter(serverId).setServerId(peer)
                    .setMapEpoch(appliedEpoch.getAsLong()).setDetail(detail).build();
            stub(target).reportUnreachable(req, callback(
                    (ReportUnreachableResponse r) -> {
                        LOG.info("[{}] reported {} unreachable to {}: {} marked_dead={}",
                                serverId, peer, target, r.getCode(), r.getMarkedDead());
                        if (r.getCode() == ErrorCode.NOT_LEADER) {
                            follow(target, r.getLeaderHint());
                        } else if (r.getMapEpoch() > appliedEpoch.getAsLong()) {
                            wantMap(r.getMapEpoch());
                        }
                    },
                    t -> LOG.warn("[{}] reporting {} unreachable to {} failed: {}", serverId,
                            peer, target, describe(t))));
        });
    }

    // ---- joining replicas ----

    /**
     * Sends the report unless the same one (partition, joining replica, map epoch) still waits
     * for the same member's answer: the replica repeats a report every few ticks until the map
     * changes, and the leader answers only once its FinishCopy applied, which on a busy leader
     * takes longer than that.
     */
    @Override
    public void reportCaughtUp(CaughtUpReport report) {
        exec.execute(() -> {
            String target = leader;
            String key = report.partition() + "/" + report.joining() + "/" + report.mapEpoch();
            if (target.equals(reportsInFlight.get(key))) {
                return;
            }
            reportsInFlight.put(key, target);
            ReportCaughtUpRequest req = ReportCaughtUpRequest.newBuilder().setReporter(serverId)
                    .setPartition(report.partition()).setServerId(report.joining())
                    .setMapEpoch(report.mapEpoch()).setSeq(report.seq())
                    .setJoiningIncarnation(report.joiningIncarnation()).build();
            Consumer<ReportCaughtUpResponse> onAnswer = r -> {
                reportsInFlight.remove(key, target);
                if (r.getCode() == ErrorCode.NOT_LEADER) {
                    follow(target, r.getLeaderHint());
                } else if (r.getCode() != ErrorCode.OK) {
                    LOG.debug("[{} p={}] caught-up report for {} answered {}", serverId,
                            report.partition(), report.joining(), r.getCode());
                }
                if (r.getMapEpoch() > appliedEpoch.getAsLong()) {
                    wantMap(r.getMapEpoch());
                }
            };
            Consumer<Throwable> onFailure = t -> {
                reportsInFlight.remove(key, target);
                LOG.debug("[{} p={}] caught-up report to {} failed: {}", serverId,
                        report.partition(), target, describe(t));
                nextMember(target);
            };
            stub(target, commandTimeoutMs).reportCaughtUp(req, callback(onAnswer, onFailure));
        });
    }

    /**
     * The tips go with a heartbeat sent now (a settling chain takes no writes until the leader
     * has every member's); a lost one is repeated by the replica.
     */
    @Override
    public void reportTips(List<PartitionTip> tips) {
        List<PartitionTip> copy = List.copyOf(tips);
        exec.execute(() -> {
            pendingTips = copy;
            if (incarnation > 0) {
                heartbeat();
            }
        });
    }

    // ---- plumbing ----

    /** Switches to the hinted leader, or to the next member if there is no hint. */
    private void follow(String from, String hint) {
        if (!hint.isEmpty()) {
            leader = hint;
        } else {
            nextMember(from);
        }
    }

    /** {@code failed} did not work: move on to the next member (once per failure). */
    private void nextMember(String failed) {
        if (leader.equals(failed)) {
            cursor = (members.indexOf(failed) + 1) % members.size();
            leader = members.get(cursor);
        }
    }

    /** A stub for a unary call, with the metadata RPC deadline. */
    private MetadataServiceGrpc.MetadataServiceStub stub(String target) {
        return stub(target, rpcTimeoutMs);
    }

    private MetadataServiceGrpc.MetadataServiceStub stub(String target, long deadlineMs) {
        return MetadataServiceGrpc.newStub(channel(target)).withDeadlineAfter(deadlineMs,
                TimeUnit.MILLISECONDS);
    }

    private ManagedChannel channel(String target) {
        return channels.computeIfAbsent(target, Channels::forAddress);
    }

    /** A unary callback that runs on the session thread. */
    private <T> StreamObserver<T> callback(Consumer<T> onOk, Consumer<Throwable> onFail) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                exec.execute(() -> {
                    if (!closed) {
                        onOk.accept(value);
                    }
                });
            }

            @Override
            public void onError(Throwable t) {
                exec.execute(() -> {
                    if (!closed) {
                        onFail.accept(t);
                    }
                });
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    private static String describe(Throwable t) {
        Status s = Status.fromThrowable(t);
        return s.getCode() + (s.getDescription() == null ? "" : " " + s.getDescription());
    }

    /** Stops heartbeats (the lease lapses), the watch and the channels; waits briefly. */
    @Override
    public void close() {
        try {
            exec.submit(this::closeNow).get(2, TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException
                | java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException e) {
            LOG.warn("[{}] closing the metadata session: {}", serverId, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeNow() {
        {
            closed = true;
            leaseHeld = false;
            if (heartbeats != null) {
                heartbeats.cancel(false);
            }
            if (watchCall != null) {
                watchCall.cancel("closing", null);
            }
            List<ManagedChannel> all = new ArrayList<>(channels.values());
            channels.clear();
            all.forEach(Channels::close);
        }
    }
}
