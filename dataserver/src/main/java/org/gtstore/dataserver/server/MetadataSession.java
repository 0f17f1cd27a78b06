package org.gtstore.dataserver.server;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.gtstore.proto.CopyProgress;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.HeartbeatRequest;
import org.gtstore.proto.LeaveRequest;
import org.gtstore.proto.HeartbeatResponse;
import org.gtstore.proto.PartitionTip;
import org.gtstore.proto.RegisterRequest;
import org.gtstore.proto.RegisterResponse;
import org.gtstore.proto.TransportSecurity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This data server's membership of the cluster: registration, heartbeats to the leader, and
 * fencing when the metadata no longer knows it. It makes and wires its parts, each with one
 * duty: {@link MetadataMembers} (which member to ask, and the calls), {@link MetadataLease}
 * (the lease the answers extend), {@link MapFollower} (the maps) and {@link MetadataReports}
 * (what the replica and the chain transport report).
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
 * <li>Heartbeat the leader every interval, with the copy progress of the joining replicas this
 *     server feeds and any tips the replica reports. A member that answers {@code NOT_LEADER}
 *     names the leader; a member that fails is skipped for the next one.
 * <li>An answered heartbeat extends the lease from its send time. {@code UNKNOWN_SERVER}
 *     (declared dead) ends the lease at once and the server registers again as a new
 *     incarnation. {@code UNAVAILABLE}: the leader is marking this incarnation dead; the lease
 *     is not extended.
 * </ul>
 * All state changes run on one scheduler thread; gRPC callbacks only hop onto it.
 */
public final class MetadataSession implements AutoCloseable {
    /** Immediate heartbeat retries per interval (see {@code heartbeatRetries}). */
    private static final int HEARTBEAT_RETRIES = 2;
    private static final Logger LOG = LoggerFactory.getLogger(MetadataSession.class);
    private static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 250;

    private final String serverId;
    private final String storageId;
    /** Names this process to the metadata; a restarted process has another. */
    private final String processId = UUID.randomUUID().toString();
    private final MetadataMembers members;
    private final MetadataLease lease;
    private final MapFollower maps;
    private final MetadataReports reports;
    private final long commandTimeoutMs;
    private final long retryBackoffMs;
    private final ScheduledExecutorService exec;

    private String address;
    private long heartbeatIntervalMs = DEFAULT_HEARTBEAT_INTERVAL_MS;
    private int heartbeatFailures;
    /**
     * Heartbeats this interval may still send at once to another member after a failure or
     * NOT_LEADER, instead of waiting for the next interval: after a leader change the lease
     * has only what the last answered heartbeat left of it.
     */
    private int heartbeatRetries;
    private ScheduledFuture<?> heartbeats;
    /** A Register is in flight or waiting to be retried: no other one is started. */
    private boolean registering;
    private long registerGeneration;
    private volatile long incarnation;
    private volatile Supplier<List<CopyProgress>> progress = List::of;
    /** Tips for the next heartbeat (see {@link #heartbeatWithTips}); scheduler thread only. */
    private List<PartitionTip> pendingTips = List.of();
    private volatile ClusterIdFile cluster;

    private MetadataSession(String serverId, String storageId, MetadataMembers members,
            long commandTimeoutMs, long retryBackoffMs, ScheduledExecutorService exec) {
        this.serverId = serverId;
        this.storageId = storageId;
        this.members = members;
        this.lease = new MetadataLease();
        this.maps = new MapFollower(serverId, members, exec, retryBackoffMs);
        this.reports = new MetadataReports(serverId, members, maps, commandTimeoutMs,
                this::heartbeatWithTips);
        this.commandTimeoutMs = commandTimeoutMs;
        this.retryBackoffMs = retryBackoffMs;
        this.exec = exec;
    }

    /**
     * A session with the metadata group {@code memberAddresses}, run on {@code exec} (one
     * thread). Before {@link #start}, the maps it brings are given a destination
     * ({@code maps().deliverTo}).
     *
     * @param rpcTimeoutMs deadline of a metadata call
     * @param commandTimeoutMs deadline of a call answered once a Raft command applied
     * @param security how the channels to the members are secured
     */
    public static MetadataSession create(String serverId, String storageId,
            List<String> memberAddresses, long rpcTimeoutMs, long commandTimeoutMs,
            long retryBackoffMs, ScheduledExecutorService exec, TransportSecurity security) {
        MetadataMembers members = new MetadataMembers(memberAddresses, rpcTimeoutMs, exec,
                security);
        return new MetadataSession(serverId, storageId, members, commandTimeoutMs,
                retryBackoffMs, exec);
    }

    /** The lease the answers to this session extend: the driver asks it before each batch. */
    public LeaseSource lease() {
        return lease;
    }

    /** The maps: where they go, and a fetch when an epoch shows one is newer. */
    MapFollower maps() {
        return maps;
    }

    /** The reports of the replica and the chain transport to the leader. */
    MetadataReports reports() {
        return reports;
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
        if (members.closed() || registering) {
            return;
        }
        registering = true;
        sendRegister();
    }

    /** One Register; its answer or failure schedules the next attempt until one is OK. */
    private void sendRegister() {
        if (members.closed()) {
            return;
        }
        long generation = ++registerGeneration;
        String target = members.leader();
        long sentAt = System.nanoTime();
        RegisterRequest req = RegisterRequest.newBuilder().setServerId(serverId)
                .setAddress(address).setStorageId(storageId).setIncarnation(incarnation)
                .setProcessId(processId)
                .setClusterId(cluster == null ? "" : cluster.id()).build();
        members.stub(target, commandTimeoutMs).register(req, members.callback(
                resp -> onRegistered(generation, target, sentAt, resp),
                t -> {
                    if (generation != registerGeneration) {
                        return;
                    }
                    LOG.warn("[{}] register at {} failed: {}", serverId, target,
                            MetadataMembers.describe(t));
                    members.failed(target);
                    exec.schedule(this::sendRegister, retryBackoffMs, TimeUnit.MILLISECONDS);
                }));
    }

    private void onRegistered(long generation, String target, long sentAt, RegisterResponse r) {
        if (generation != registerGeneration) {
            return;
        }
        if (r.getCode() == ErrorCode.NOT_LEADER) {
            members.follow(target, r.getLeaderHint());
            exec.schedule(this::sendRegister, r.getLeaderHint().isEmpty() ? retryBackoffMs : 0,
                    TimeUnit.MILLISECONDS);
            return;
        }
        if ((r.getCode() == ErrorCode.WRONG_CLUSTER || r.getCode() == ErrorCode.ID_IN_USE)
                && cluster != null) {
            // Refused for good, not for now: the server stops with the reason.
            LOG.error("[{}] {}", serverId, r.getMessage());
            members.close();       // the server is to stop: nothing more is sent
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
        members.led(target);
        incarnation = r.getIncarnation();
        lease.setDuration(r.getLeaseMs());
        heartbeatIntervalMs = r.getHeartbeatIntervalMs() > 0 ? r.getHeartbeatIntervalMs()
                : DEFAULT_HEARTBEAT_INTERVAL_MS;
        lease.extend(sentAt);
        LOG.info("[{} epoch={}] registered at {} as incarnation {} (process {}, lease {} ms,"
                + " heartbeat every {} ms)", serverId, r.getMap().getEpoch(), target, incarnation,
                processId, lease.durationMs(), heartbeatIntervalMs);
        if (r.hasMap()) {
            maps.offer(r.getMap());
        }
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        heartbeats = exec.scheduleAtFixedRate(this::scheduledHeartbeat, heartbeatIntervalMs,
                heartbeatIntervalMs, TimeUnit.MILLISECONDS);
        maps.watch();
    }

    // ---- heartbeats and fencing ----

    private void scheduledHeartbeat() {
        heartbeatRetries = HEARTBEAT_RETRIES;
        heartbeat();
    }

    /** One more heartbeat now, to the member the last answer pointed at, if any are left. */
    private void retryHeartbeat() {
        if (heartbeatRetries > 0 && heartbeats != null) {
            heartbeatRetries--;
            heartbeat();
        }
    }

    private void heartbeat() {
        if (members.closed()) {
            return;
        }
        String target = members.leader();
        long sentAt = System.nanoTime();
        long inc = incarnation;
        HeartbeatRequest req = HeartbeatRequest.newBuilder().setServerId(serverId)
                .setIncarnation(inc).setMapEpoch(maps.appliedEpoch())
                .addAllProgress(progress.get()).addAllTips(pendingTips).build();
        pendingTips = List.of();
        // An answer later than the lease could not extend it, so that is the deadline; a
        // shorter one would only churn between members when the machine is busy.
        members.stub(target, lease.durationMs()).heartbeat(req, members.callback(
                resp -> onHeartbeat(target, sentAt, inc, resp),
                t -> {
                    if (heartbeatFailures++ == 0) {
                        LOG.warn("[{}] heartbeat to {} failed: {}", serverId, target,
                                MetadataMembers.describe(t));
                    } else {
                        LOG.debug("[{}] heartbeat to {} failed again: {}", serverId, target,
                                MetadataMembers.describe(t));
                    }
                    members.failed(target);
                    retryHeartbeat();
                }));
    }

    private void onHeartbeat(String target, long sentAt, long inc, HeartbeatResponse r) {
        if (inc != incarnation) {
            return;
        }
        switch (r.getCode()) {
            case OK -> {
                if (heartbeatFailures > 0) {
                    LOG.info("[{}] heartbeats answered again by {} after {} failures", serverId,
                            target, heartbeatFailures);
                    heartbeatFailures = 0;
                }
                lease.extend(sentAt);
                maps.sawEpoch(r.getMapEpoch());
                if (members.update(r.getMetaMembersList())) {
                    LOG.info("[{}] metadata members are now {}", serverId,
                            r.getMetaMembersList());
                }
            }
            case NOT_LEADER -> {
                members.follow(target, r.getLeaderHint());
                retryHeartbeat();
            }
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
        lease.end();
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

    /**
     * The tips go with a heartbeat sent now (a settling chain takes no writes until the leader
     * has every member's); a lost one is repeated by the replica.
     */
    private void heartbeatWithTips(List<PartitionTip> tips) {
        members.onThread(() -> {
            pendingTips = tips;
            if (incarnation > 0) {
                heartbeat();
            }
        });
    }

    /**
     * A graceful stop: this server stops serving (its lease ends for good; clients are told to
     * wait for the next map), then asks the leader to declare this incarnation gone now
     * (Leave), so its chains close up without waiting for a client or the failure timeout to
     * notice, and that next map is the one without it; waits up to
     * {@code waitMs} for the answer. Without one (no leader, or too slow) the cluster finds
     * out as it would after a kill. Returns true if the leader agreed.
     */
    public boolean leave(long waitMs) {
        CompletableFuture<Boolean> agreed = new CompletableFuture<>();
        members.onThread(() -> {
            lease.endForStop();
            if (heartbeats != null) {
                heartbeats.cancel(false);
                heartbeats = null;
            }
            sendLeave(2, waitMs, agreed);
        });
        try {
            boolean ok = agreed.get(waitMs + 500, TimeUnit.MILLISECONDS);
            LOG.info("[{}] stopping: {}", serverId, ok
                    ? "the metadata declared incarnation " + incarnation + " gone"
                    : "the metadata did not answer; it will find out");
            return ok;
        } catch (java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException e) {
            LOG.info("[{}] stopping: no answer to Leave ({})", serverId, e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void sendLeave(int attempts, long waitMs, CompletableFuture<Boolean> agreed) {
        if (incarnation <= 0 || members.closed() || attempts == 0) {
            agreed.complete(false);
            return;
        }
        String target = members.leader();
        LeaveRequest req = LeaveRequest.newBuilder().setServerId(serverId)
                .setIncarnation(incarnation).build();
        members.stub(target, waitMs).leave(req, members.callback(r -> {
            if (r.getCode() == ErrorCode.NOT_LEADER) {
                members.follow(target, r.getLeaderHint());
                sendLeave(attempts - 1, waitMs, agreed);
            } else {
                agreed.complete(r.getCode() == ErrorCode.OK);
            }
        }, t -> {
            members.failed(target);
            sendLeave(attempts - 1, waitMs, agreed);
        }));
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
        lease.end();
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        maps.close();
        members.close();
    }
}
