package org.gtstore.dataserver.server;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.gtstore.proto.GetMapRequest;
import org.gtstore.proto.GetMapResponse;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.WatchMapRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings this data server every new map: a WatchMap stream at the leader (opened again on
 * another member when it fails or ends), and a GetMap when a request, a peer or a heartbeat
 * shows a newer epoch than the one applied (merged while one is in flight; a member that is
 * behind is left for the next). Maps go to the replica through {@link #deliverTo}; everything
 * else runs on the session thread.
 */
final class MapFollower implements MapFetcher {
    private static final Logger LOG = LoggerFactory.getLogger(MapFollower.class);

    private final String serverId;
    private final MetadataMembers members;
    private final ScheduledExecutorService exec;
    private final long retryBackoffMs;
    private Consumer<PartitionMap> sink;
    private LongSupplier appliedEpoch;
    private long watchGeneration;
    private ClientCallStreamObserver<WatchMapRequest> watchCall;
    private boolean fetchInFlight;
    private long fetchWantedEpoch;

    MapFollower(String serverId, MetadataMembers members, ScheduledExecutorService exec,
            long retryBackoffMs) {
        this.serverId = serverId;
        this.members = members;
        this.exec = exec;
        this.retryBackoffMs = retryBackoffMs;
    }

    /**
     * Where maps go and how the epoch applied is read: the replica, which exists only once the
     * session does (it takes the lease and this fetcher), so it is named before the session
     * starts.
     */
    void deliverTo(Consumer<PartitionMap> sink, LongSupplier appliedEpoch) {
        this.sink = sink;
        this.appliedEpoch = appliedEpoch;
    }

    /** The epoch of the map the replica has applied. */
    long appliedEpoch() {
        return appliedEpoch.getAsLong();
    }

    /** A map from another answer (a registration): to the replica. */
    void offer(PartitionMap map) {
        sink.accept(map);
    }

    /** (Re)opens the watch at the leader as last known, after the epoch applied. */
    void watch() {
        if (members.closed()) {
            return;
        }
        long generation = ++watchGeneration;
        if (watchCall != null) {
            watchCall.cancel("re-watching", null);
        }
        String target = members.leader();
        WatchMapRequest req = WatchMapRequest.newBuilder()
                .setFromEpoch(appliedEpoch.getAsLong() + 1).build();
        members.streamStub(target).watchMap(req,
                new ClientResponseObserver<WatchMapRequest, GetMapResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<WatchMapRequest> call) {
                members.onThread(() -> {
                    if (generation == watchGeneration) {
                        watchCall = call;
                    }
                });
            }

            @Override
            public void onNext(GetMapResponse r) {
                if (r.hasMap()) {
                    LOG.debug("[{}] map epoch {} from the watch on {}", serverId,
                            r.getMap().getEpoch(), target);
                    sink.accept(r.getMap());
                }
            }

            @Override
            public void onError(Throwable t) {
                members.onThread(() -> rewatch(generation, target, MetadataMembers.describe(t)));
            }

            @Override
            public void onCompleted() {
                members.onThread(() -> rewatch(generation, target, "stream ended"));
            }
        });
    }

    private void rewatch(long generation, String target, String why) {
        if (generation != watchGeneration) {
            return;
        }
        LOG.warn("[{}] map watch on {} ended ({}); watching another member", serverId, target,
                why);
        members.failed(target);
        exec.schedule(() -> {
            if (generation == watchGeneration) {
                watch();
            }
        }, retryBackoffMs, TimeUnit.MILLISECONDS);
    }

    /** An answer showed map epoch {@code epoch}: fetch it if it is newer than the one applied. */
    void sawEpoch(long epoch) {
        if (epoch > appliedEpoch.getAsLong()) {
            wantMap(epoch);
        }
    }

    @Override
    public void wantMap(long epoch) {
        members.onThread(() -> {
            fetchWantedEpoch = Math.max(fetchWantedEpoch, epoch);
            if (!fetchInFlight && fetchWantedEpoch > appliedEpoch.getAsLong()) {
                fetchMap(members.size() + 1);
            }
        });
    }

    private void fetchMap(int attemptsLeft) {
        if (members.closed() || attemptsLeft <= 0) {
            fetchInFlight = false;
            return;
        }
        fetchInFlight = true;
        String target = members.leader();
        GetMapRequest req = GetMapRequest.newBuilder().setKnownEpoch(appliedEpoch.getAsLong())
                .build();
        members.stub(target).getMap(req, members.callback(r -> {
            if (r.hasMap() && r.getMap().getEpoch() > appliedEpoch.getAsLong()) {
                sink.accept(r.getMap());
            }
            if (r.getMap().getEpoch() >= fetchWantedEpoch) {
                fetchInFlight = false;
                return;
            }
            // This member is behind (or not the leader): ask the next one shortly.
            members.follow(target, r.getLeaderHint());
            retryFetch(attemptsLeft - 1);
        }, t -> {
            members.failed(target);
            retryFetch(attemptsLeft - 1);
        }));
    }

    private void retryFetch(int attemptsLeft) {
        exec.schedule(() -> fetchMap(attemptsLeft), retryBackoffMs, TimeUnit.MILLISECONDS);
    }

    /** Ends the watch; on the session thread. */
    void close() {
        if (watchCall != null) {
            watchCall.cancel("closing", null);
        }
    }
}
