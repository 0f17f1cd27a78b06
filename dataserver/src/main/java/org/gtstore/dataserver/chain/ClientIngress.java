package org.gtstore.dataserver.chain;

import java.util.Map;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.ScanRequest;

/**
 * The client requests of a {@link ChainReplica}: puts and deletes at the head, gets at the
 * tail. Every request passes the same checks first (a map, a well formed request, the metadata
 * lease, an epoch current for its partition), then its partition's: the head dedups (client id,
 * request id) and hands the write to its {@link PartitionReplica}; the tail reads its committed
 * state. A refused request changes nothing and gets one error.
 */
final class ClientIngress {
    /**
     * How long a retried put may have been on its way, beyond the age its client stated: a
     * retry whose first attempt may predate what the dedup table forgot by less than this is
     * refused too.
     */
    static final long RETRY_TRANSIT_MARGIN_MS = 2_000;

    private final ReplicaContext ctx;
    private final Map<Integer, PartitionReplica> partitions;
    private final Effects fx;
    /** The map's key partitioner; null until the first map. */
    private KeyPartitioner partitioner;
    private boolean leaseValid;
    /** The lease ended for a graceful stop: refusals point clients to the next map. */
    private boolean stopping;

    ClientIngress(ReplicaContext ctx, Map<Integer, PartitionReplica> partitions, Effects fx) {
        this.ctx = ctx;
        this.partitions = partitions;
        this.fx = fx;
    }

    /** A new map is in force, with this key partitioner. */
    void mapChanged(KeyPartitioner partitioner) {
        this.partitioner = partitioner;
    }

    void leaseChanged(boolean valid, boolean stopping) {
        leaseValid = valid;
        this.stopping = stopping;
    }

    boolean leaseValid() {
        return leaseValid;
    }

    /**
     * A put or delete: only the head of its partition takes it, once every check passes.
     *
     * @param nowMs the wall clock when it arrived (its TTL counts from then)
     */
    void put(PutRequest r, Object replyTo, long nowMs) {
        PartitionReplica pr = partitions.get(r.getPartition());
        String invalid = partitioner == null ? null : RequestValidator.checkPut(r, partitioner);
        Refusal refusal = admit(invalid, r.getEpoch(), r.getChainEpoch(), r.getPartition(), pr,
                true);
        if (refusal != null) {
            fx.putError(replyTo, refusal.code(), refusal.message(), refusal.epoch());
            return;
        }
        if (pr.recovery().settleWait()) {
            fx.putError(replyTo, ErrorCode.UNAVAILABLE, ctx.selfId + " restarted on its store and"
                    + " waits while the metadata finds which replica of partition "
                    + r.getPartition() + " holds the most; retry");
            return;
        }
        DedupTable.Applied earlier = ctx.dedup.find(r.getClientId(), r.getRequestId(),
                r.getPartition(), r.getKey());
        if (earlier != null && earlier.seq() <= pr.applied()) {
            pr.awaitRetry(earlier.seq(), replyTo, fx);
            return;
        }
        if (earlier == null && ctx.dedup.mayHaveForgotten(r.getPartition(),
                r.getFirstAttemptAgeMs(), ctx.config.tickMs(), RETRY_TRANSIT_MARGIN_MS)) {
            fx.putError(replyTo, ErrorCode.RETRY_TOO_OLD, ctx.selfId + " cannot tell whether this"
                    + " write was applied: its first attempt was " + r.getFirstAttemptAgeMs()
                    + " ms ago, before what this head remembers of partition "
                    + r.getPartition() + "; nothing was applied now (read the key to see"
                    + " whether the first attempt was)");
            return;
        }
        if (ctx.retainedBytes >= ctx.config.retainedBytesMax()) {
            fx.putError(replyTo, ErrorCode.UNAVAILABLE, ctx.selfId + " keeps "
                    + (ctx.retainedBytes >> 20) + " MiB of writes its successors have not"
                    + " acknowledged yet: new writes wait until its chains catch up");
            return;
        }
        if (pr.mustHold(r)) {
            pr.hold(r, replyTo, nowMs, fx);
            return;
        }
        pr.acceptWrite(r, replyTo, nowMs, fx);
    }

    /**
     * The expiry sweep's due writes: the head of each partition deletes them through the chain,
     * when it could take a client's write now (lease, position, not settling, room to retain);
     * otherwise the next sweep finds them again.
     */
    void expire(ChainEvent.ExpiriesDue e) {
        if (!leaseValid || ctx.retainedBytes >= ctx.config.retainedBytesMax()) {
            return;
        }
        for (ChainEvent.ExpiredWrite w : e.writes()) {
            PartitionReplica pr = partitions.get(w.partition());
            if (pr != null && pr.position().head() && !pr.recovery().settleWait()) {
                pr.expire(w.key(), w.version(), e.nowMs(), fx);
            }
        }
    }

    /** A get: only the tail of its partition answers, from its committed state. */
    void get(GetRequest r, Object replyTo) {
        PartitionReplica pr = partitions.get(r.getPartition());
        String invalid = partitioner == null ? null
                : RequestValidator.checkKey(r.getKey(), r.getPartition(), partitioner);
        Refusal refusal = admit(invalid, r.getEpoch(), r.getChainEpoch(), r.getPartition(), pr,
                false);
        if (refusal != null) {
            fx.getError(replyTo, refusal.code(), refusal.message(), refusal.epoch());
            return;
        }
        Recovery recovery = pr.recovery();
        if (!recovery.readable()) {
            fx.getError(replyTo, ErrorCode.UNAVAILABLE, ctx.selfId + (recovery.recovering()
                    ? " restarted and is still learning what its predecessor holds in partition "
                    : " became the tail of partition ") + r.getPartition()
                    + (recovery.recovering() ? ""
                            : " and is still receiving what the old tail held"));
            return;
        }
        fx.replies.add(new ClientReply.LocalRead(replyTo, r.getPartition(), r.getKey(), ctx.epoch,
                pr.committed()));
    }

    /** A scan page: only the tail of its partition answers, from its committed state. */
    void scan(ScanRequest r, Object replyTo) {
        PartitionReplica pr = partitions.get(r.getPartition());
        String invalid = partitioner == null ? null : RequestValidator.checkScan(r, partitioner);
        Refusal refusal = admit(invalid, r.getEpoch(), r.getChainEpoch(), r.getPartition(), pr,
                false);
        if (refusal != null) {
            fx.scanError(replyTo, refusal.code(), refusal.message(), refusal.epoch());
            return;
        }
        if (!pr.recovery().readable()) {
            fx.scanError(replyTo, ErrorCode.UNAVAILABLE, ctx.selfId + " cannot read partition "
                    + r.getPartition() + " yet: it is still catching up; retry");
            return;
        }
        fx.replies.add(new ClientReply.LocalScan(replyTo, r, ctx.epoch, pr.committed()));
    }

    /** Why a client request is refused before its partition's own checks. */
    /** A refusal, with the map epoch the answer names (the client acts on it). */
    private record Refusal(ErrorCode code, String message, long epoch) {
        Refusal(ErrorCode code, String message) {
            this(code, message, -1);
        }
    }

    /**
     * The checks every client request passes first, in this order: this server has a map, the
     * request is well formed ({@code invalid} is the validator's complaint, or null), the
     * metadata lease is valid, the request's epoch is current for its partition, and this
     * server is the partition's head (a put) or tail (a get).
     *
     * @param chainEpoch the request's chain epoch of its partition, 0 if it gave none
     * @return the refusal, or null when the request may go on
     */
    private Refusal admit(String invalid, long epoch, long chainEpoch, int partition,
            PartitionReplica pr, boolean atHead) {
        if (partitioner == null) {
            return new Refusal(ErrorCode.UNAVAILABLE, ctx.selfId + " has no map yet");
        }
        if (invalid != null) {
            return new Refusal(ErrorCode.INVALID_ARGUMENT, invalid);
        }
        if (!leaseValid && stopping) {
            // The metadata's next map is the one without this server (it asked to leave):
            // naming that epoch makes the client fetch it at once rather than back off.
            return new Refusal(ErrorCode.STALE_EPOCH, ctx.selfId + " is stopping; the map"
                    + " without it follows (epoch " + (ctx.epoch + 1) + ")", ctx.epoch + 1);
        }
        if (!leaseValid) {
            return new Refusal(ErrorCode.UNAVAILABLE, ctx.selfId + " has no metadata lease");
        }
        ErrorCode epochCheck = checkEpoch(epoch, chainEpoch, pr, atHead);
        if (epochCheck != ErrorCode.OK) {
            return new Refusal(epochCheck, epochMessage(epoch, partition, pr));
        }
        if (pr == null || !(atHead ? pr.position().head() : pr.position().tail())) {
            return new Refusal(ErrorCode.NOT_RESPONSIBLE, ctx.selfId + " is not the "
                    + (atHead ? "head" : "tail") + " of partition " + partition + " in epoch "
                    + ctx.epoch);
        }
        return null;
    }

    /**
     * FUTURE_EPOCH if the caller has a newer map (we fetch it) in which the partition's chain
     * may differ from ours; STALE_EPOCH if its map predates the partition's current chain (or,
     * for a partition we do not hold, is older than ours), unless it is a read this server
     * still answers as the tail; OK otherwise. Judged per chain both ways: a caller whose map
     * shows the current chain is routed correctly even if other partitions have changed since,
     * so it need not refresh; a caller with a newer map whose chain epoch of the partition is
     * ours saw the very chain we serve (chain epochs move only when the chain changes), so it
     * need not wait for our map; and a caller with an older chain that sent a get or a scan to
     * the tail of the chain we serve is served, because this server's own map and lease decide
     * what it may serve (a joining replica added behind the tail leaves the tail the tail).
     */
    private ErrorCode checkEpoch(long requestEpoch, long requestChainEpoch,
            PartitionReplica pr, boolean atHead) {
        if (requestEpoch > ctx.epoch) {
            fx.wantMap(requestEpoch);
            boolean sameChain = pr != null && requestChainEpoch > 0
                    && requestChainEpoch == pr.chainEpoch();
            return sameChain ? ErrorCode.OK : ErrorCode.FUTURE_EPOCH;
        }
        if (pr == null) {
            return requestEpoch < ctx.epoch ? ErrorCode.STALE_EPOCH : ErrorCode.OK;
        }
        // A read at a tail that is still the tail is answered here, whatever changed behind
        // it. A put is not: its answer comes from the chain's tail over the session the client
        // opened to the tail of its map, which may no longer be the tail. A request without a
        // map epoch (0) was routed by no map: it is sent for one.
        boolean stillTail = requestEpoch > 0 && !atHead && pr.position().tail();
        return pr.currentAt(requestEpoch) || stillTail ? ErrorCode.OK : ErrorCode.STALE_EPOCH;
    }

    private String epochMessage(long requestEpoch, int partition, PartitionReplica pr) {
        return "request epoch " + requestEpoch + ", server epoch " + ctx.epoch
                + (pr == null ? "" : ", chain of partition " + partition + " changed in epoch "
                        + pr.chainEpoch());
    }
}
