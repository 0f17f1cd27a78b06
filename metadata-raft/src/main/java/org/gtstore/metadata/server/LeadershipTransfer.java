package org.gtstore.metadata.server;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.server.RaftServer;
import org.gtstore.metadata.service.LeadershipConfirmer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands this member's leadership to a follower among those a caller allows: of those whose
 * commit index is within {@link #CAUGHT_UP_LAG} entries of the highest, the one that has
 * answered this leader the longest without a break ({@link FollowerStreaks}), so the group has a
 * leader again within a round trip instead of after an election timeout, and one that holds
 * it. Used by a stopping leader and by a leader asked to remove itself.
 */
final class LeadershipTransfer {
    private static final Logger LOG = LoggerFactory.getLogger(LeadershipTransfer.class);

    /** How long a transfer may take before the others are left to elect a leader. */
    static final long WAIT_MS = 3_000;
    private static final long STEP_DOWN_POLL_MS = 10;
    /** Followers this close to the highest commit index count as caught up. */
    static final long CAUGHT_UP_LAG = 50;

    private final String memberId;
    private final RaftServer server;
    private final RaftServer.Division division;
    private final LeadershipConfirmer confirmer;
    private final long heartbeatIntervalMs;
    private final FollowerStreaks streaks;

    /** @param electionTimeoutMaxMs a follower silent this long has broken its streak */
    LeadershipTransfer(String memberId, RaftServer server, RaftServer.Division division,
            LeadershipConfirmer confirmer, long heartbeatIntervalMs, long electionTimeoutMaxMs) {
        this.memberId = memberId;
        this.server = server;
        this.division = division;
        this.confirmer = confirmer;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.streaks = new FollowerStreaks(electionTimeoutMaxMs);
    }

    /** A tick: samples how long ago each follower answered, while this member leads. */
    void observe() {
        if (!division.getInfo().isLeader()) {
            streaks.clear();
            return;
        }
        RaftProtos.RoleInfoProto role = division.getInfo().getRoleInfoProto();
        Map<String, Long> since = new HashMap<>();
        for (RaftProtos.ServerRpcProto f : role.getLeaderInfo().getFollowerInfoList()) {
            since.put(RaftPeerId.valueOf(f.getId().getId()).toString(),
                    f.getLastRpcElapsedTimeMs());
        }
        streaks.observe(since, System.currentTimeMillis());
    }

    /**
     * If this member leads: answers the heartbeats it holds and the next round at once, so
     * every data server's lease lasts until the new leader answers (otherwise a data server
     * has what a heartbeat sent up to a second earlier left, and may stop serving for a
     * moment); then transfers leadership to the best follower {@code eligible} allows and
     * waits up to {@link #WAIT_MS} for it. Returns the new leader (the one the group elected
     * meanwhile, if an election beat the transfer), or empty when this member did not lead,
     * no follower was eligible, or the transfer failed or timed out with no other leader.
     * A {@code stopping} member returns as soon as it stepped down for the election (see
     * {@link #awaitTransferOrStepDown}); one that goes on running waits for the outcome.
     */
    Optional<RaftPeerId> handOver(Predicate<RaftPeerId> eligible, boolean stopping) {
        if (!division.getInfo().isLeader()) {
            return Optional.empty();
        }
        RaftPeerId self = division.getId();
        RaftPeerId best = best(division.getCommitInfos(), id -> !id.equals(self)
                && eligible.test(id));
        if (best == null) {
            return Optional.empty();
        }
        confirmer.hurry();
        try {
            Thread.sleep(heartbeatIntervalMs + 50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        long start = System.nanoTime();
        long startTerm = division.getInfo().getCurrentTerm();
        try {
            CompletableFuture<RaftClientReply> transfer = server.transferLeadershipAsync(
                    new TransferLeadershipRequest(ClientId.randomId(), self,
                            MetadataServer.GROUP_ID, 0, best, WAIT_MS));
            RaftClientReply r = stopping ? awaitTransferOrStepDown(transfer, startTerm)
                    : transfer.get(WAIT_MS + 500, TimeUnit.MILLISECONDS);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (r == null) {
                LOG.info("[{}] leadership handed to {} in {} ms (stepped down for its election)",
                        memberId, best, ms);
                return Optional.of(best);
            }
            if (r.isSuccess()) {
                LOG.info("[{}] leadership handed to {} in {} ms", memberId, best, ms);
                return Optional.of(best);
            }
            RaftPeerId now = division.getInfo().getLeaderId();
            if (now != null && !now.equals(self)) {
                // On a busy machine a follower's election timeout can fire during the
                // hand-over: the group has a leader all the same.
                LOG.info("[{}] leadership went to {} in {} ms, elected while it was handed to"
                        + " {}", memberId, now, ms, best);
                return Optional.of(now);
            }
            LOG.info("[{}] leadership not handed ({}) to {} in {} ms", memberId,
                    r.getException(), best, ms);
            return Optional.empty();
        } catch (IOException | ExecutionException | TimeoutException e) {
            LOG.info("[{}] leadership not handed to {}: {}", memberId, best, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Optional.empty();
    }

    /**
     * Of the allowed followers within {@link #CAUGHT_UP_LAG} of the highest commit index, the
     * one with the longest streak of answers (ties: the higher commit index); null if none.
     */
    private RaftPeerId best(Iterable<CommitInfoProto> infos, Predicate<RaftPeerId> allowed) {
        long highest = -1;
        for (CommitInfoProto c : infos) {
            if (allowed.test(RaftPeerId.valueOf(c.getServer().getId()))) {
                highest = Math.max(highest, c.getCommitIndex());
            }
        }
        long now = System.currentTimeMillis();
        RaftPeerId best = null;
        long bestStreak = -1;
        long bestIndex = -1;
        for (CommitInfoProto c : infos) {
            RaftPeerId id = RaftPeerId.valueOf(c.getServer().getId());
            if (!allowed.test(id) || c.getCommitIndex() < highest - CAUGHT_UP_LAG) {
                continue;
            }
            long streak = streaks.streakMs(id.toString(), now);
            if (streak > bestStreak || streak == bestStreak && c.getCommitIndex() > bestIndex) {
                best = id;
                bestStreak = streak;
                bestIndex = c.getCommitIndex();
            }
        }
        return best;
    }

    /**
     * The transfer's reply, or null once this member stepped down in a newer term: the
     * transferee started its election. Ratis completes the transfer only when this member
     * hears from the new leader, which on a busy machine can take longer than this member's
     * election timeout (a new leader's first moments are slow), and a member that waits that
     * long campaigns again and may win back the leadership it is handing over. A stopping
     * member has no part left in that election.
     */
    private RaftClientReply awaitTransferOrStepDown(CompletableFuture<RaftClientReply> transfer,
            long startTerm) throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS + 500);
        while (true) {
            try {
                return transfer.get(STEP_DOWN_POLL_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (!division.getInfo().isLeader()
                        && division.getInfo().getCurrentTerm() > startTerm) {
                    return null;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
            }
        }
    }
}
