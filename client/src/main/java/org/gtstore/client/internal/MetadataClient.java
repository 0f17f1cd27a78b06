package org.gtstore.client.internal;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.gtstore.client.GtStoreClient;
import org.gtstore.client.GtStoreException;
import org.gtstore.client.MetadataUnavailableException;
import org.gtstore.client.internal.MetadataConnector.Verdict;
import org.gtstore.proto.AdminResponse;
import org.gtstore.proto.ChangeMetaMembersRequest;
import org.gtstore.proto.DrainRequest;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.RemoveServerRequest;
import org.gtstore.proto.GetMapRequest;
import org.gtstore.proto.GetMapResponse;
import org.gtstore.proto.MemberStatus;
import org.gtstore.proto.MemberStatusRequest;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ReportUnreachableRequest;
import org.gtstore.proto.ReportUnreachableResponse;
import org.gtstore.proto.TransportSecurity;

/**
 * The metadata group's calls, used by {@link GtStoreClient} (maps, reports) and by {@code gtctl}
 * (member status, drain, remove, member changes); not part of the client API. It
 * knows every member's address ({@code host:rpcPort}) and sends each call to the member that
 * last answered, then to the others in turn; a member that answers {@code NOT_LEADER} sends the
 * call to its {@code leader_hint}. Each call to one member has a timeout ({@link
 * Builder#callTimeout}). When no member answers usefully a call throws
 * {@link MetadataUnavailableException} naming every address and what it did.
 *
 * <p>Calls of the {@code MetadataService} it makes: {@code GetMap} (any member),
 * {@code WatchMap} (any member, reconnecting), {@code ReportUnreachable} (the leader),
 * {@code GetMemberStatus} (one given member).
 *
 * <p>The synchronous methods block the calling thread; do not call them from a callback of a
 * future this library returned (those run on network threads).
 */
public final class MetadataClient implements AutoCloseable {
    /** How long one metadata member change may take: a new member is caught up first. */
    private static final long META_CHANGE_DEADLINE_MS = 30_000;

    private final MetadataConnector connector;
    private final Channels.EventLoops eventLoops;
    private final String clientId;
    private final ScheduledExecutorService watchThread;

    /** Receives the maps a {@link #watch} delivers, in increasing epoch order, on one thread. */
    @FunctionalInterface
    public interface MapListener {
        /** A map newer than every map delivered before. */
        void onMap(PartitionMap map);

        /** The watch lost its member and is reconnecting to another one. */
        default void onConnectionLost(String address, String reason) {
        }
    }

    /** A running watch; closing it stops the deliveries. */
    public interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    private MetadataClient(MetadataConnector connector, Channels.EventLoops eventLoops,
            String clientId) {
        this.connector = connector;
        this.eventLoops = eventLoops;
        this.clientId = clientId;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "gtstore-metadata-watch");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        this.watchThread = Executors.unconfigurableScheduledExecutorService(t);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A client for the given members with the default call timeout, in plaintext. */
    public static MetadataClient create(List<String> addresses) {
        return builder().addresses(addresses).build();
    }

    /** A client for the given members with the default call timeout. */
    public static MetadataClient create(List<String> addresses, TransportSecurity security) {
        return builder().addresses(addresses).security(security).build();
    }

    /** Every member address, as given. */
    public List<String> addresses() {
        return connector.addresses();
    }

    /** The newest map any member has (the member that last answered is asked first). */
    public PartitionMap getMap() {
        return getMap(0);
    }

    /**
     * A map at least as new as {@code knownEpoch} if any member has one; otherwise the newest
     * map found.
     */
    public PartitionMap getMap(long knownEpoch) {
        return await(getMapAsync(knownEpoch), "GetMap");
    }

    /**
     * The leader's map: it holds every change the metadata group acknowledged before this call,
     * which a follower's may not yet (use it to read the effect of an admin action). Throws
     * {@link MetadataUnavailableException} while no member is the leader.
     */
    public PartitionMap getLeaderMap() {
        GetMapRequest request = GetMapRequest.newBuilder().setFromLeader(true).build();
        CompletableFuture<GetMapResponse> answer = connector.call("GetMap",
                (stub, observer) -> stub.getMap(request, observer),
                MetadataClient::judgeLeaderMap);
        return learn(await(answer, "GetMap from the leader")).getMap();
    }

    /** {@link #getMap(long)} without blocking. */
    public CompletableFuture<PartitionMap> getMapAsync(long knownEpoch) {
        GetMapRequest request = GetMapRequest.newBuilder().setKnownEpoch(knownEpoch).build();
        return connector.<GetMapResponse>call("GetMap",
                (stub, observer) -> stub.getMap(request, observer),
                r -> judgeMap(r, knownEpoch)).thenApply(r -> learn(r).getMap());
    }

    private GetMapResponse learn(GetMapResponse r) {
        connector.learnMembers(r.getMetaMembersList());
        return r;
    }

    private static Verdict judgeLeaderMap(GetMapResponse r) {
        return switch (r.getCode()) {
            case OK -> Verdict.accept(r.getLeaderHint());
            case NOT_LEADER -> Verdict.leaderElsewhere(r.getLeaderHint(), "NOT_LEADER");
            default -> Verdict.askNext(r.getCode().toString());
        };
    }

    private static Verdict judgeMap(GetMapResponse r, long knownEpoch) {
        if (r.getCode() == ErrorCode.NOT_LEADER) {
            return Verdict.leaderElsewhere(r.getLeaderHint(), "NOT_LEADER");
        }
        if (r.getCode() != ErrorCode.OK) {
            return Verdict.askNext(r.getCode().toString());
        }
        long epoch = r.getMap().getEpoch();
        if (epoch < knownEpoch) {
            return Verdict.usable("map epoch " + epoch + " older than " + knownEpoch, epoch);
        }
        return Verdict.accept(r.getLeaderHint());
    }

    /**
     * Watches the map: delivers every map from {@code fromEpoch} on (the current map first if it
     * is at least that new), reconnecting to another member whenever the stream breaks. Never
     * delivers an epoch older than or equal to one already delivered.
     */
    public Watch watch(long fromEpoch, MapListener listener) {
        Objects.requireNonNull(listener, "listener == null");
        MapWatchStream stream = new MapWatchStream(connector, watchThread, fromEpoch,
                listener::onMap, listener::onConnectionLost);
        stream.start();
        return stream::close;
    }

    /**
     * The status of exactly one member, as that member sees itself. Throws
     * {@link MetadataUnavailableException} if it does not answer (so a caller can show it DOWN).
     */
    public MemberStatus memberStatus(String address) {
        HostPort.check(address);
        return await(connector.<MemberStatus>callOne(address, (stub, observer) ->
                stub.getMemberStatus(MemberStatusRequest.getDefaultInstance(), observer)),
                "GetMemberStatus");
    }

    /** Tells the leader that a data server could not be reached; the leader probes it. */
    public ReportUnreachableResponse reportUnreachable(String serverId, long mapEpoch,
            String detail) {
        return await(reportUnreachableAsync(serverId, mapEpoch, detail), "ReportUnreachable");
    }

    /** {@link #reportUnreachable} without blocking. */
    public CompletableFuture<ReportUnreachableResponse> reportUnreachableAsync(String serverId,
            long mapEpoch, String detail) {
        ReportUnreachableRequest request = ReportUnreachableRequest.newBuilder()
                .setReporter(clientId).setServerId(serverId).setMapEpoch(mapEpoch)
                .setDetail(detail).build();
        return connector.call("ReportUnreachable",
                (stub, observer) -> stub.reportUnreachable(request, observer),
                r -> r.getCode() == ErrorCode.NOT_LEADER
                        ? Verdict.leaderElsewhere(r.getLeaderHint(), "NOT_LEADER")
                        : Verdict.accept());
    }

    /**
     * Asks the leader to drain a data server (or, with {@code cancel}, to stop draining it).
     * The answer says OK with the epoch it applied in, or why nothing changed.
     */
    public AdminResponse drain(String serverId, boolean cancel) {
        DrainRequest request = DrainRequest.newBuilder().setServerId(serverId)
                .setCancel(cancel).build();
        return await(connector.call("Drain", (stub, observer) -> stub.drain(request, observer),
                MetadataClient::judgeAdmin), "Drain");
    }

    /** Asks the leader to forget a data server that is dead (or drained and stopped). */
    public AdminResponse removeServer(String serverId) {
        RemoveServerRequest request = RemoveServerRequest.newBuilder().setServerId(serverId)
                .build();
        return await(connector.call("RemoveServer",
                (stub, observer) -> stub.removeServer(request, observer),
                MetadataClient::judgeAdmin), "RemoveServer");
    }

    /**
     * Asks the leader to add or remove one metadata member. A change waits for a new member to
     * catch up, so it has a deadline of its own; a leader removing itself answers NOT_LEADER
     * after handing its leadership over, and the change is then sent to the new leader.
     */
    public AdminResponse changeMetaMembers(ChangeMetaMembersRequest request) {
        return await(connector.call("ChangeMetaMembers",
                (stub, observer) -> stub.withDeadlineAfter(META_CHANGE_DEADLINE_MS,
                        TimeUnit.MILLISECONDS).changeMetaMembers(request, observer),
                MetadataClient::judgeAdmin), "ChangeMetaMembers", META_CHANGE_DEADLINE_MS * 2);
    }

    private static Verdict judgeAdmin(AdminResponse r) {
        return switch (r.getCode()) {
            case NOT_LEADER -> Verdict.leaderElsewhere(r.getLeaderHint(), "NOT_LEADER");
            // Anything else is the leader's answer: a TIMEOUT may still apply, so the
            // operator reads the map rather than have the request sent twice.
            default -> Verdict.accept(r.getLeaderHint());
        };
    }

    @Override
    public void close() {
        watchThread.shutdownNow();
        connector.close();
        eventLoops.close();
    }

    private <T> T await(CompletableFuture<T> future, String operation) {
        // Each member gets at most one call timeout; leave room for a leader hint on top.
        return await(future, operation,
                connector.callTimeoutMs() * (connector.addresses().size() + 2L) + 1000);
    }

    private <T> T await(CompletableFuture<T> future, String operation, long waitMs) {
        try {
            return future.get(waitMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GtStoreException g) {
                throw g;
            }
            throw new MetadataUnavailableException("metadata " + operation + " failed: "
                    + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new MetadataUnavailableException("metadata " + operation + " got no answer"
                    + " within " + waitMs + " ms from " + String.join(",", addresses())
                    + ": is the cluster running? (gtctl cluster status)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GtStoreException("interrupted while waiting for metadata " + operation,
                    null, e);
        }
    }

    /** Settings for a {@link MetadataClient}. */
    public static final class Builder {
        private List<String> addresses;
        private Duration callTimeout = ClientConfig.DEFAULT_METADATA_CALL_TIMEOUT;
        private String clientId = "gtstore-client";
        private TransportSecurity security = TransportSecurity.plaintext();

        private Builder() {
        }

        /** Every metadata member as host:rpcPort. Required. */
        public Builder addresses(List<String> addresses) {
            this.addresses = List.copyOf(addresses);
            return this;
        }

        /** How long one call to one member may take (default 2 s). */
        public Builder callTimeout(Duration callTimeout) {
            this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout == null");
            return this;
        }

        /** How the connections to the members are secured (default plaintext). */
        public Builder security(TransportSecurity security) {
            this.security = Objects.requireNonNull(security, "security == null");
            return this;
        }

        /** Who reports unreachable servers (the reporter field). */
        public Builder clientId(String clientId) {
            this.clientId = Objects.requireNonNull(clientId, "clientId == null");
            return this;
        }

        public MetadataClient build() {
            if (addresses == null) {
                throw new IllegalStateException("metadata addresses not set");
            }
            if (callTimeout.isNegative() || callTimeout.isZero()) {
                throw new IllegalArgumentException("callTimeout must be positive: "
                        + callTimeout);
            }
            // Event loops of its own (one thread), stopped with it: grpc's shared ones outlive a
            // client by a second, and a JVM exiting with a thread in epoll_wait waits 300 ms.
            Channels.EventLoops loops = new Channels.EventLoops(1);
            TransportSecurity s = security;
            return new MetadataClient(new MetadataConnector(addresses, callTimeout.toMillis(),
                    a -> loops.open(a, s)), loops, clientId);
        }
    }
}
