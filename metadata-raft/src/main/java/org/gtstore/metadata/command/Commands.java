package org.gtstore.metadata.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.metadata.model.ServerEntry;
import org.gtstore.metadata.model.Settings;
import org.gtstore.metadata.model.Tip;
import org.gtstore.proto.AssignChains;
import org.gtstore.proto.Chain;
import org.gtstore.proto.CopyEntry;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.FinishCopy;
import org.gtstore.proto.MarkDead;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.MetaCommandReply;
import org.gtstore.proto.PartitionTip;
import org.gtstore.proto.RecordTips;
import org.gtstore.proto.RegisterServer;
import org.gtstore.proto.ReviveChains;
import org.gtstore.proto.ReviveEntry;
import org.gtstore.proto.ServerState;
import org.gtstore.proto.StartCopy;

/**
 * The metadata group's command semantics: {@link #validate} says whether a command may apply,
 * {@link #apply} is the only thing that produces a new state. Both are pure and deterministic
 * (no clock, no IO, no randomness), so every member that applies the same log reaches the same
 * state. Every applied change moves the epoch by exactly one and says why in {@code cause}.
 *
 * <p>Commands handled: InitCluster, RegisterServer, MarkDead, AssignChains, StartCopy,
 * FinishCopy, RecordTips, ReviveChains, and through {@link MembershipCommands} ShedLeaving,
 * DrainServer and ForgetServer (see metadata.proto).
 */
public final class Commands {

    private Commands() {
    }

    /** Empty if the command may be applied to the state, else why not. */
    public static Optional<Rejection> validate(ClusterState state, MetaCommand cmd) {
        return CommandValidator.validate(state, cmd);
    }

    /**
     * Applies one logged command. A command that is no longer valid (it became stale while in
     * the log) leaves the state as it is and is answered with its rejection.
     */
    public static Outcome apply(ClusterState state, MetaCommand cmd) {
        Optional<Rejection> rejection = validate(state, cmd);
        if (rejection.isPresent()) {
            MetaCommandReply reply = MetaCommandReply.newBuilder()
                    .setCode(rejection.get().code()).setMessage(rejection.get().message())
                    .setEpoch(state.epoch()).build();
            return new Outcome(state, reply);
        }
        ClusterState next = switch (cmd.getCommandCase()) {
            case INIT -> applyInit(state, Settings.fromProto(cmd.getInit().getSettings()));
            case REGISTER -> applyRegister(state, cmd.getRegister());
            case MARK_DEAD -> applyMarkDead(state, cmd.getMarkDead());
            case ASSIGN -> applyAssign(state, cmd.getAssign());
            case START_COPY -> applyStartCopy(state, cmd.getStartCopy());
            case FINISH_COPY -> applyFinishCopy(state, cmd.getFinishCopy());
            case RECORD_TIPS -> applyRecordTips(state, cmd.getRecordTips());
            case REVIVE -> applyRevive(state, cmd.getRevive());
            case SHED -> MembershipCommands.applyShed(state, cmd.getShed());
            case DRAIN -> MembershipCommands.applyDrain(state, cmd.getDrain());
            case FORGET -> MembershipCommands.applyForget(state, cmd.getForget());
            default -> throw new IllegalStateException("validated an unknown command: " + cmd);
        };
        if (next.epoch() != state.epoch() + 1) {
            throw new IllegalStateException("epoch moved from " + state.epoch() + " to "
                    + next.epoch() + " applying " + cmd.getCommandCase());
        }
        MetaCommandReply.Builder reply = MetaCommandReply.newBuilder().setCode(ErrorCode.OK)
                .setMessage(next.cause()).setEpoch(next.epoch());
        if (cmd.hasRegister()) {
            reply.setIncarnation(cmd.getRegister().getIncarnation());
        }
        return new Outcome(next, reply.build());
    }

    private static ClusterState applyInit(ClusterState state, Settings s) {
        return state.next(s, state.servers(), state.chains(), "cluster initialized: K="
                + s.replication() + ", partitions=" + s.partitions() + ", initial servers="
                + s.initialServers() + ", durability="
                + s.durability().name().toLowerCase(Locale.ROOT));
    }

    /**
     * A server that is live in the chains with the same storage id restarted before anyone
     * declared it dead: it keeps its positions (chain catch-up fills the gap). Otherwise it
     * comes back with no positions. Either way, a partition that lost every replica and
     * remembers only this server (with this very disk) is served again by it alone; one that
     * remembers others too waits for its tip ({@link ChainEdits#afterRegister}).
     */
    private static ClusterState applyRegister(ClusterState state, RegisterServer r) {
        long epoch = state.epoch() + 1;
        String id = r.getServerId();
        Optional<ServerEntry> old = state.server(id);
        boolean sameDisk = old.isPresent() && old.get().storageId().equals(r.getStorageId());
        List<PartitionChain> chains = state.chains();
        String cause;
        if (old.isPresent() && !old.get().isDead() && sameDisk
                && ChainEdits.holdsPosition(chains, id)) {
            cause = id + " re-registered (incarnation " + r.getIncarnation()
                    + ") and keeps its chain positions";
            List<PartitionChain> settling = ChainEdits.settleAfterRestart(chains, id, epoch);
            if (settling != chains) {
                cause += "; the partitions it heads settle: their replicas report what they"
                        + " hold, the one holding most leads";
            }
            chains = settling;
        } else {
            if (old.isPresent() && ChainEdits.holdsPosition(chains, id)) {
                chains = ChainEdits.removeServer(chains, id, epoch, keepDeparted(state));
            }
            cause = id + " registered (incarnation " + r.getIncarnation() + ") at "
                    + r.getAddress();
        }
        List<PartitionChain> after = ChainEdits.afterRegister(chains, id, sameDisk, epoch);
        int revived = 0;
        int waiting = 0;
        for (int p = 0; p < after.size(); p++) {
            revived += chains.get(p).isUnavailable() && !after.get(p).isUnavailable() ? 1 : 0;
            waiting += after.get(p).isUnavailable() && after.get(p).awaitsTipOf(id) ? 1 : 0;
        }
        if (revived > 0) {
            cause += "; " + revived + " unavailable partitions are served again";
        }
        if (waiting > 0) {
            cause += "; " + waiting + " unavailable partitions wait for its tip (what it holds)"
                    + " to be served again by the last replica holding most";
        }
        chains = after;
        Map<String, ServerEntry> servers = new TreeMap<>(state.servers());
        servers.put(id, new ServerEntry(id, r.getAddress(), r.getIncarnation(),
                ServerState.JOINING, r.getStorageId(), r.getProcessId(),
                old.map(ServerEntry::draining).orElse(false)));
        return state.next(state.settings(), ChainEdits.refreshStates(servers, chains), chains,
                cause);
    }

    private static ClusterState applyMarkDead(ClusterState state, MarkDead m) {
        long epoch = state.epoch() + 1;
        List<PartitionChain> chains = ChainEdits.removeServer(state.chains(), m.getServerId(),
                epoch, keepDeparted(state));
        Map<String, ServerEntry> servers = new TreeMap<>(state.servers());
        servers.put(m.getServerId(), servers.get(m.getServerId()).withState(ServerState.DEAD));
        String reason = m.getReason().isEmpty() ? "" : ": " + m.getReason();
        return state.next(state.settings(), ChainEdits.refreshStates(servers, chains), chains,
                m.getServerId() + " dead" + reason);
    }

    private static ClusterState applyAssign(ClusterState state, AssignChains a) {
        long epoch = state.epoch() + 1;
        int partitions = state.settings().partitions();
        List<PartitionChain> chains = new ArrayList<>(state.chains());
        if (chains.isEmpty()) {
            for (int p = 0; p < partitions; p++) {
                chains.add(null);
            }
        }
        for (Chain c : a.getChainsList()) {
            PartitionChain was = chains.get(c.getPartition());
            if (was != null && was.replicas().equals(c.getReplicasList())
                    && was.joining().equals(c.getJoining()) && was.lastReplicas().isEmpty()) {
                continue;   // unchanged: it keeps the epoch in which it last changed
            }
            chains.set(c.getPartition(), new PartitionChain(c.getPartition(),
                    c.getReplicasList(), c.getJoining(), epoch, List.of()));
        }
        String reason = a.getReason().isEmpty() ? "chains assigned" : a.getReason();
        SortedMap<String, ServerEntry> servers = ChainEdits.refreshStates(state.servers(),
                chains);
        return state.next(state.settings(), servers, chains, reason + " ("
                + a.getChainsCount() + " partitions)");
    }

    /** Every listed partition gets its joining replica, in one epoch. */
    private static ClusterState applyStartCopy(ClusterState state, StartCopy s) {
        long epoch = state.epoch() + 1;
        List<PartitionChain> chains = new ArrayList<>(state.chains());
        Map<String, Integer> perServer = new TreeMap<>();
        int moves = 0;
        for (CopyEntry e : s.getEntriesList()) {
            PartitionChain c = chains.get(e.getPartition());
            if (e.getLeaving().isEmpty()) {
                chains.set(c.partition(), new PartitionChain(c.partition(), c.replicas(),
                        e.getServerId(), epoch, List.of()));
            } else {
                chains.set(c.partition(), c.withMove(e.getServerId(), e.getLeaving(), epoch));
                moves++;
            }
            perServer.merge(e.getServerId(), 1, Integer::sum);
        }
        String why = moves == 0 ? "to restore K" : moves == s.getEntriesCount()
                ? "to move partitions" : "to restore K and move partitions";
        String cause;
        if (s.getEntriesCount() == 1) {
            CopyEntry e = s.getEntries(0);
            cause = "partition " + e.getPartition() + ": " + e.getServerId()
                    + " joins, copying from tail " + state.chain(e.getPartition()).tail()
                    + (e.getLeaving().isEmpty() ? " to restore K"
                    : ", to take the place of " + e.getLeaving());
        } else {
            cause = s.getEntriesCount() + " partitions start copies " + why + " (joining: "
                    + perServer + ")";
        }
        return withChains(state, chains, cause);
    }

    /** Every listed joining replica becomes the tail of its partition, in one epoch. */
    private static ClusterState applyFinishCopy(ClusterState state, FinishCopy f) {
        long epoch = state.epoch() + 1;
        List<PartitionChain> chains = new ArrayList<>(state.chains());
        int shed = 0;
        for (CopyEntry e : f.getEntriesList()) {
            PartitionChain c = chains.get(e.getPartition());
            PartitionChain next = c.joiningCaughtUp(epoch);
            shed += c.hasLeaving() && !next.hasLeaving() ? 1 : 0;
            chains.set(c.partition(), next);
        }
        String cause;
        if (f.getEntriesCount() == 1) {
            CopyEntry e = f.getEntries(0);
            PartitionChain c = state.chain(e.getPartition());
            cause = "partition " + e.getPartition() + ": " + e.getServerId()
                    + " caught up and is the new tail" + (shed == 1 ? "; " + c.leaving()
                    + " left the chain" : c.hasLeaving() ? "; " + c.leaving()
                    + " leaves once it applied this map" : "");
        } else {
            cause = f.getEntriesCount() + " joining replicas caught up and are the new tails"
                    + (shed > 0 ? "; " + shed + " moved partitions shed their leaving member"
                    : "");
        }
        return withChains(state, chains, cause);
    }

    /** At most K-1 departed members per chain: with the last one standing, K last replicas. */
    private static int keepDeparted(ClusterState state) {
        return state.hasSettings() ? state.settings().replication() - 1 : 0;
    }

    /**
     * Records the awaited tips; each settling chain that now has every member's tip is ordered
     * by them, most data first, and each unavailable chain that has every last replica's tip
     * is served again by the best, in the new epoch.
     */
    private static ClusterState applyRecordTips(ClusterState state, RecordTips r) {
        long epoch = state.epoch() + 1;
        List<PartitionChain> chains = new ArrayList<>(state.chains());
        List<String> settled = new ArrayList<>();
        List<String> revived = new ArrayList<>();
        List<Integer> asked = new ArrayList<>();
        for (PartitionTip t : r.getTipsList()) {
            PartitionChain c = chains.get(t.getPartition());
            if (!CommandValidator.awaits(c, r.getServerId(), t)) {
                continue;
            }
            if (CommandValidator.asksToSettle(c, r.getServerId(), t)) {
                c = c.settlingWithout(r.getServerId(), epoch);
                asked.add(c.partition());
            }
            c = c.withTip(r.getServerId(), Tip.fromProto(t));
            if (c.readyToSettle()) {
                PartitionChain s = c.settled(epoch);
                settled.add(c.partition() + ": " + s.replicas() + " (" + c.tips() + ")");
                c = s;
            } else if (c.readyToRevive()) {
                PartitionChain s = c.revivedFromBest(epoch);
                revived.add(c.partition() + ": " + s.head() + " (" + c.tips() + ")");
                c = s;
            }
            chains.set(t.getPartition(), c);
        }
        String cause = r.getServerId() + " reported what it holds in " + r.getTipsCount()
                + " settling or unavailable partitions" + (asked.isEmpty() ? ""
                : "; made head while still recovering, it lets partitions " + asked
                + " settle first") + (settled.isEmpty() ? ""
                : "; settled, most data first: " + firstOf(settled))
                + (revived.isEmpty() ? "" : "; served again by the last replica holding most: "
                + firstOf(revived));
        return withChains(state, chains, cause);
    }

    /** Partitions a cause names, at most the first 8: it travels with every map. */
    private static final int CAUSE_ITEMS_MAX = 8;

    private static String firstOf(List<String> items) {
        if (items.size() <= CAUSE_ITEMS_MAX) {
            return String.join(", ", items);
        }
        return String.join(", ", items.subList(0, CAUSE_ITEMS_MAX)) + " and "
                + (items.size() - CAUSE_ITEMS_MAX) + " more";
    }

    /** Each listed unavailable chain is served again by the reporter holding most. */
    private static ClusterState applyRevive(ClusterState state, ReviveChains r) {
        long epoch = state.epoch() + 1;
        List<PartitionChain> chains = new ArrayList<>(state.chains());
        List<String> revived = new ArrayList<>();
        for (ReviveEntry e : r.getEntriesList()) {
            PartitionChain c = chains.get(e.getPartition());
            PartitionChain s = c.revivedFromBest(epoch);
            List<String> silent = new ArrayList<>(c.lastReplicas());
            silent.removeAll(c.tips().keySet());
            revived.add(c.partition() + ": " + s.head() + " (" + c.tips() + "; not heard: "
                    + silent + ")");
            chains.set(e.getPartition(), s);
        }
        return withChains(state, chains, "waited for the last replicas of " + revived.size()
                + " unavailable partitions; served again by the one holding most of those"
                + " heard: " + firstOf(revived));
    }

    static ClusterState withChains(ClusterState state, List<PartitionChain> chains,
                                           String cause) {
        return state.next(state.settings(), ChainEdits.refreshStates(state.servers(), chains),
                chains, cause);
    }
}
