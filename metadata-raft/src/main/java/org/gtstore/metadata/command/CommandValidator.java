package org.gtstore.metadata.command;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.metadata.model.ServerEntry;
import org.gtstore.metadata.model.Settings;
import org.gtstore.proto.AssignChains;
import org.gtstore.proto.Chain;
import org.gtstore.proto.CopyEntry;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.MarkDead;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.PartitionTip;
import org.gtstore.proto.RecordTips;
import org.gtstore.proto.RegisterServer;
import org.gtstore.proto.ReviveChains;
import org.gtstore.proto.ReviveEntry;

/**
 * Decides whether a command may be applied to a state. It is used twice with the same answer
 * for the same input: by the leader before a command enters the log (so a bad command never
 * does) and by apply itself (so a command that became stale while in the log, e.g. after a
 * leader change, leaves the state unchanged on every member alike).
 */
final class CommandValidator {

    private CommandValidator() {
    }

    static Optional<Rejection> validate(ClusterState state, MetaCommand cmd) {
        switch (cmd.getCommandCase()) {
            case INIT:
                return validateInit(state, cmd);
            case CONFIRM:
                return Optional.empty();
            case COMMAND_NOT_SET:
                return reject(ErrorCode.INVALID_ARGUMENT, "empty command");
            default:
                break;
        }
        if (!state.hasSettings()) {
            return reject(ErrorCode.UNAVAILABLE, "cluster not initialized yet");
        }
        switch (cmd.getCommandCase()) {
            case REGISTER:
                return validateRegister(state, cmd.getRegister());
            case MARK_DEAD:
                return validateMarkDead(state, cmd.getMarkDead());
            case ASSIGN:
                return validateAssign(state, cmd.getAssign());
            case START_COPY:
                return validateCopyBatch(state, cmd.getStartCopy().getExpectedEpoch(),
                        cmd.getStartCopy().getEntriesList(), true);
            case FINISH_COPY:
                return validateCopyBatch(state, cmd.getFinishCopy().getExpectedEpoch(),
                        cmd.getFinishCopy().getEntriesList(), false);
            case RECORD_TIPS:
                return validateRecordTips(state, cmd.getRecordTips());
            case REVIVE:
                return validateRevive(state, cmd.getRevive());
            case SHED:
                return MembershipCommands.validateShed(state, cmd.getShed());
            case DRAIN:
                return MembershipCommands.validateDrain(state, cmd.getDrain());
            case FORGET:
                return MembershipCommands.validateForget(state, cmd.getForget());
            default:
                return reject(ErrorCode.INVALID_ARGUMENT,
                        "unknown command: " + cmd.getCommandCase());
        }
    }

    private static Optional<Rejection> validateInit(ClusterState state, MetaCommand cmd) {
        if (state.hasSettings()) {
            return reject(ErrorCode.INVALID_ARGUMENT, "cluster already initialized with "
                    + state.settings());
        }
        try {
            Settings.fromProto(cmd.getInit().getSettings());
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return reject(ErrorCode.INVALID_ARGUMENT, "bad settings: " + e.getMessage());
        }
    }

    private static Optional<Rejection> validateRegister(ClusterState state, RegisterServer r) {
        if (r.getServerId().isEmpty()) {
            return reject(ErrorCode.INVALID_ARGUMENT, "server_id is empty");
        }
        if (r.getAddress().isEmpty()) {
            return reject(ErrorCode.INVALID_ARGUMENT, "address is empty for " + r.getServerId());
        }
        long current = state.server(r.getServerId()).map(ServerEntry::incarnation).orElse(0L);
        if (r.getIncarnation() <= current) {
            return reject(ErrorCode.EPOCH_MISMATCH, r.getServerId() + ": incarnation "
                    + r.getIncarnation() + " <= current " + current);
        }
        return Optional.empty();
    }

    private static Optional<Rejection> validateMarkDead(ClusterState state, MarkDead m) {
        Optional<ServerEntry> s = state.server(m.getServerId());
        if (s.isEmpty()) {
            return reject(ErrorCode.UNKNOWN_SERVER, "unknown server " + m.getServerId());
        }
        if (s.get().incarnation() != m.getIncarnation()) {
            return reject(ErrorCode.UNKNOWN_SERVER, m.getServerId() + ": incarnation "
                    + m.getIncarnation() + " is not the current " + s.get().incarnation());
        }
        if (s.get().isDead()) {
            return reject(ErrorCode.UNKNOWN_SERVER, m.getServerId() + " is already dead");
        }
        return Optional.empty();
    }

    /** Sound tips of the server's current incarnation, at least one of them still awaited. */
    private static Optional<Rejection> validateRecordTips(ClusterState state, RecordTips r) {
        Optional<ServerEntry> s = state.server(r.getServerId());
        if (s.isEmpty() || s.get().isDead() || s.get().incarnation() != r.getIncarnation()) {
            return reject(ErrorCode.UNKNOWN_SERVER, r.getServerId() + " incarnation "
                    + r.getIncarnation() + " is not a live registration");
        }
        int awaited = 0;
        for (PartitionTip t : r.getTipsList()) {
            if (t.getPartition() < 0 || t.getPartition() >= state.chains().size()
                    || t.getBranch() < 0 || t.getSeq() < 0) {
                return reject(ErrorCode.INVALID_ARGUMENT, "bad tip " + t.getPartition() + "/"
                        + t.getBranch() + "/" + t.getSeq());
            }
            awaited += awaits(state.chain(t.getPartition()), r.getServerId(), t) ? 1 : 0;
        }
        if (awaited == 0) {
            return reject(ErrorCode.EPOCH_MISMATCH, "no settling or unavailable chain awaits"
                    + " these tips of " + r.getServerId());
        }
        return Optional.empty();
    }

    /**
     * True if the chain, in the chain epoch the tip names, waits for it: a settling chain for
     * a member's, an unavailable one for a last replica's; or the tip asks a chain that is not
     * settling to settle, from its head, with others to compare with.
     */
    static boolean awaits(PartitionChain c, String serverId, PartitionTip t) {
        if (c.epoch() != t.getChainEpoch()) {
            return false;
        }
        return c.awaitsTipOf(serverId) || asksToSettle(c, serverId, t);
    }

    /** True if the tip is its chain's head asking the chain (not settling yet) to settle. */
    static boolean asksToSettle(PartitionChain c, String serverId, PartitionTip t) {
        return t.getAskSettle() && !c.settling() && c.head().equals(serverId)
                && c.replicas().size() > 1;
    }

    /** Unavailable chains, each still in the named chain epoch and with a tip to revive from. */
    private static Optional<Rejection> validateRevive(ClusterState state, ReviveChains r) {
        if (r.getEntriesCount() == 0) {
            return reject(ErrorCode.INVALID_ARGUMENT, "no chains to revive");
        }
        Set<Integer> seen = new HashSet<>();
        for (ReviveEntry e : r.getEntriesList()) {
            if (e.getPartition() < 0 || e.getPartition() >= state.chains().size()
                    || !seen.add(e.getPartition())) {
                return reject(ErrorCode.INVALID_ARGUMENT, "partition out of range or listed"
                        + " twice: " + e.getPartition());
            }
            PartitionChain c = state.chain(e.getPartition());
            if (!c.isUnavailable() || c.epoch() != e.getChainEpoch() || c.tips().isEmpty()) {
                return reject(ErrorCode.EPOCH_MISMATCH, "partition " + e.getPartition()
                        + " is not unavailable with a reported tip in chain epoch "
                        + e.getChainEpoch());
            }
        }
        return Optional.empty();
    }

    private static Optional<Rejection> validateAssign(ClusterState state, AssignChains a) {
        Optional<Rejection> epoch = checkEpoch(state, a.getExpectedEpoch());
        if (epoch.isPresent()) {
            return epoch;
        }
        int partitions = state.settings().partitions();
        if (a.getChainsCount() == 0) {
            return reject(ErrorCode.INVALID_ARGUMENT, "no chains to assign");
        }
        Set<Integer> seen = new HashSet<>();
        for (Chain c : a.getChainsList()) {
            if (c.getPartition() < 0 || c.getPartition() >= partitions) {
                return reject(ErrorCode.INVALID_ARGUMENT, "partition out of range [0, "
                        + partitions + "): " + c.getPartition());
            }
            if (!seen.add(c.getPartition())) {
                return reject(ErrorCode.INVALID_ARGUMENT, "partition listed twice: "
                        + c.getPartition());
            }
            Optional<Rejection> bad = validateAssignedChain(state, c);
            if (bad.isPresent()) {
                return bad;
            }
        }
        if (!state.isAssigned() && seen.size() != partitions) {
            return reject(ErrorCode.INVALID_ARGUMENT, "the first assignment must cover all "
                    + partitions + " partitions, got " + seen.size());
        }
        return Optional.empty();
    }

    private static Optional<Rejection> validateAssignedChain(ClusterState state, Chain c) {
        int k = state.settings().replication();
        if (c.getReplicasCount() < 1 || c.getReplicasCount() > k) {
            return reject(ErrorCode.INVALID_ARGUMENT, "partition " + c.getPartition() + ": "
                    + c.getReplicasCount() + " replicas, want 1.." + k);
        }
        if (c.getLastReplicasCount() > 0) {
            return reject(ErrorCode.INVALID_ARGUMENT, "partition " + c.getPartition()
                    + ": last_replicas set on an assigned chain");
        }
        Set<String> members = new HashSet<>();
        for (String id : c.getReplicasList()) {
            if (!members.add(id)) {
                return reject(ErrorCode.INVALID_ARGUMENT, "partition " + c.getPartition()
                        + ": server twice in chain: " + id);
            }
            Optional<Rejection> live = checkLive(state, id);
            if (live.isPresent()) {
                return live;
            }
        }
        if (!c.getJoining().isEmpty()) {
            if (members.contains(c.getJoining())) {
                return reject(ErrorCode.INVALID_ARGUMENT, "partition " + c.getPartition()
                        + ": joining replica is also a member: " + c.getJoining());
            }
            return checkLive(state, c.getJoining());
        }
        return Optional.empty();
    }

    /**
     * A copy batch is all or nothing: every entry must be valid against this very state, so
     * the first invalid entry rejects the whole command (the leader builds each batch from the
     * state it expects, so an invalid entry means the map moved on or a bug).
     */
    private static Optional<Rejection> validateCopyBatch(ClusterState state, long expectedEpoch,
                                                         List<CopyEntry> entries,
                                                         boolean start) {
        Optional<Rejection> epoch = checkEpoch(state, expectedEpoch);
        if (epoch.isPresent()) {
            return epoch;
        }
        if (!state.isAssigned()) {
            return reject(ErrorCode.UNAVAILABLE, "chains are not assigned yet");
        }
        if (entries.isEmpty()) {
            return reject(ErrorCode.INVALID_ARGUMENT, "no copy entries");
        }
        Set<Integer> seen = new HashSet<>();
        for (CopyEntry e : entries) {
            if (e.getPartition() < 0 || e.getPartition() >= state.chains().size()) {
                return reject(ErrorCode.INVALID_ARGUMENT, "partition out of range [0, "
                        + state.chains().size() + "): " + e.getPartition());
            }
            if (!seen.add(e.getPartition())) {
                return reject(ErrorCode.INVALID_ARGUMENT, "partition listed twice: "
                        + e.getPartition());
            }
            Optional<Rejection> bad = start ? validateStartEntry(state, e)
                    : validateFinishEntry(state, e);
            if (bad.isPresent()) {
                return bad;
            }
        }
        return Optional.empty();
    }

    private static Optional<Rejection> validateStartEntry(ClusterState state, CopyEntry e) {
        PartitionChain c = state.chain(e.getPartition());
        if (c.isUnavailable()) {
            return reject(ErrorCode.UNAVAILABLE, "partition " + e.getPartition()
                    + " is unavailable; nothing to copy from");
        }
        if (c.hasJoining()) {
            return reject(ErrorCode.INVALID_ARGUMENT, "partition " + e.getPartition()
                    + " already has joining replica " + c.joining());
        }
        if (c.settling()) {
            return reject(ErrorCode.UNAVAILABLE, "partition " + e.getPartition()
                    + " is settling: its tail may change");
        }
        int k = state.settings().replication();
        if (e.getLeaving().isEmpty() && c.replicas().size() >= k) {
            return reject(ErrorCode.INVALID_ARGUMENT, "partition " + e.getPartition()
                    + " already has K replicas: " + c.replicas());
        }
        if (!e.getLeaving().isEmpty() && (c.replicas().size() < k
                || !c.contains(e.getLeaving()))) {
            return reject(ErrorCode.INVALID_ARGUMENT, "partition " + e.getPartition()
                    + ": a move needs K replicas and a leaving member of chain "
                    + c.replicas() + ", not " + e.getLeaving());
        }
        if (c.contains(e.getServerId())) {
            return reject(ErrorCode.INVALID_ARGUMENT, "partition " + e.getPartition()
                    + ": " + e.getServerId() + " is already in chain " + c.replicas());
        }
        Optional<Rejection> live = checkLive(state, e.getServerId());
        if (live.isEmpty() && !e.getLeaving().isEmpty()
                && state.server(e.getServerId()).get().draining()) {
            return reject(ErrorCode.INVALID_ARGUMENT, "server " + e.getServerId()
                    + " is draining: no partition moves to it");
        }
        return live;
    }

    private static Optional<Rejection> validateFinishEntry(ClusterState state, CopyEntry e) {
        PartitionChain c = state.chain(e.getPartition());
        if (!c.joining().equals(e.getServerId()) || e.getServerId().isEmpty()) {
            return reject(ErrorCode.INVALID_ARGUMENT, "partition " + e.getPartition()
                    + ": " + e.getServerId() + " is not its joining replica ("
                    + (c.hasJoining() ? c.joining() : "none") + ")");
        }
        if (c.settling()) {
            return reject(ErrorCode.UNAVAILABLE, "partition " + e.getPartition()
                    + " is settling: its tail may change");
        }
        long incarnation = state.server(e.getServerId()).map(ServerEntry::incarnation).orElse(0L);
        if (e.getIncarnation() != 0 && e.getIncarnation() != incarnation) {
            return reject(ErrorCode.EPOCH_MISMATCH, "partition " + e.getPartition() + ": "
                    + e.getServerId() + " caught up as incarnation " + e.getIncarnation()
                    + " but is at incarnation " + incarnation);
        }
        return checkLive(state, e.getServerId());
    }

    static Optional<Rejection> checkEpoch(ClusterState state, long expectedEpoch) {
        if (expectedEpoch != state.epoch()) {
            return reject(ErrorCode.EPOCH_MISMATCH, "expected epoch " + expectedEpoch
                    + " but the map is at epoch " + state.epoch());
        }
        return Optional.empty();
    }

    static Optional<Rejection> checkLive(ClusterState state, String id) {
        Optional<ServerEntry> s = state.server(id);
        if (s.isEmpty()) {
            return reject(ErrorCode.UNKNOWN_SERVER, "unknown server " + id);
        }
        if (s.get().isDead()) {
            return reject(ErrorCode.UNKNOWN_SERVER, "server " + id + " is dead");
        }
        return Optional.empty();
    }

    static Optional<Rejection> reject(ErrorCode code, String message) {
        return Optional.of(new Rejection(code, message));
    }
}
