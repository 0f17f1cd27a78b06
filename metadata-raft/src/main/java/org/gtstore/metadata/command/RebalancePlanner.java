package org.gtstore.metadata.command;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.metadata.model.ServerEntry;
import org.gtstore.proto.CopyEntry;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.ShedLeaving;
import org.gtstore.proto.StartCopy;

/**
 * Plans moves of partitions between live servers: off draining servers, and onto the servers
 * that hold less (a server that joined, a dead one back as a spare), until every server that
 * takes positions holds replica slots within one of the others and heads within one where
 * moves can reach it. A move of a chain of K replicas is a copy to a server outside it, which
 * joins at the tail end, and the shedding of one member (the one {@code leaving}) once the
 * copy is the tail, so the chain never has fewer than K replicas.
 *
 * <p>Moves are chosen one at a time against the state with every planned and running move
 * done, each the one that lowers {@code 1 * sum(slots^2) + 3 * sum(heads^2)} most (a move can
 * change heads only by shedding a head, whose successor then leads; the weight lets a move
 * that balances heads cost one slot of imbalance, which a later move takes back). Ties go to
 * the move that leaves fewer chain lanes (streams from a server to its successor: the fewer,
 * the fuller each batch), then to one that does not shed a tail (a tail is shed only after it
 * applied the map that took its place, one heartbeat later). Every move lowers that sum, so
 * rebalancing ends. Moves off a draining server come first and need only a server to go to.
 *
 * <p>A plan is bounded: at most {@code maxMoves} moves in progress (chains with a leaving
 * member or more than K replicas), none while more than half that many are, and none while
 * any chain waits to be restored to K.
 */
public final class RebalancePlanner {


    /** The moves of one plan, as one StartCopy at {@code expectedEpoch}. */
    public record Plan(long expectedEpoch, List<CopyEntry> moves, int stuckDrains) {
        public Plan {
            moves = List.copyOf(moves);
        }

        public boolean isEmpty() {
            return moves.isEmpty();
        }

        public MetaCommand command() {
            if (moves.isEmpty()) {
                throw new IllegalStateException("an empty plan has no command");
            }
            return MetaCommand.newBuilder().setStartCopy(StartCopy.newBuilder()
                    .setExpectedEpoch(expectedEpoch).addAllEntries(moves)).build();
        }
    }

    private final ClusterState state;
    private final int k;
    /** Every live server, by index; {@code eligible} says which take positions. */
    private final List<String> ids = new ArrayList<>();
    private final Map<String, Integer> index = new HashMap<>();
    private final boolean[] eligible;
    private final int[] slots;
    private final int[] heads;
    private final int[] middles;
    private final int[] tails;
    /** How many projected chains use each chain lane (from * n + to), and how many are used. */
    private final int[] laneUse;
    private int lanes;
    /** Projected chains, by partition, as server indices; null if not movable now. */
    private final int[][] movable;

    private RebalancePlanner(ClusterState state) {
        this.state = state;
        this.k = state.settings().replication();
        for (ServerEntry s : state.liveServers()) {
            index.put(s.id(), ids.size());
            ids.add(s.id());
        }
        int n = ids.size();
        eligible = new boolean[n];
        slots = new int[n];
        heads = new int[n];
        middles = new int[n];
        tails = new int[n];
        laneUse = new int[n * n];
        for (ServerEntry s : state.liveServers()) {
            eligible[index.get(s.id())] = s.takesPositions();
        }
        movable = new int[state.chains().size()][];
        for (PartitionChain c : state.chains()) {
            int[] projected = project(c);
            if (projected == null) {
                continue;
            }
            addChain(projected, 1);
            if (isMovable(c)) {
                movable[c.partition()] = projected;
            }
        }
    }

    /**
     * True if a shed, restore or move may be due: a chain with more than K replicas or a
     * leaving member, a draining server, or live servers whose slots or heads differ by more
     * than one. The leader's cheap check before it plans.
     */
    public static boolean mayMove(ClusterState state) {
        if (!state.hasSettings() || !state.isAssigned()) {
            return false;
        }
        RebalancePlanner p = new RebalancePlanner(state);
        for (PartitionChain c : state.chains()) {
            if (moving(c, p.k)) {
                return true;
            }
        }
        for (ServerEntry s : state.liveServers()) {
            if (s.draining() && ChainEdits.holdsPosition(state.chains(), s.id())) {
                return true;
            }
        }
        return p.spread(p.slots) > 1 || p.spread(p.heads) > 1;
    }

    /**
     * Moves to start now: none while any chain is short of K members, whether its restoring
     * copy is still to start or under way (restoring comes first, and a move's chain changes
     * on top of a restore's double the re-sent writes of the moments after a death or a
     * graceful stop), and at most {@code maxMoves} in progress counting those already running.
     */
    public static Plan plan(ClusterState state, int maxMoves) {
        if (!state.hasSettings() || !state.isAssigned()
                || ReplicaRestorePlanner.needsCopies(state) || restoring(state)) {
            return new Plan(state.epoch(), List.of(), 0);
        }
        RebalancePlanner p = new RebalancePlanner(state);
        int running = 0;
        for (PartitionChain c : state.chains()) {
            running += moving(c, p.k) ? 1 : 0;
        }
        if (running > maxMoves / 2) {
            // Wait until half are done: fewer, larger StartCopy epochs (each one is pushed to
            // every server and client) for the same number of moves.
            return new Plan(state.epoch(), List.of(), 0);
        }
        return p.plan(maxMoves - running);
    }

    /**
     * Chains with more than K replicas and no copy under way shed one member: the leaving
     * one, or (a chain grown past K some other way) the non-tail member on the server holding
     * most slots. Only members whose server applied the chain's epoch ({@code appliedEpochs},
     * from heartbeats) are shed: a leaving tail stops serving reads once it has.
     */
    public static List<CopyEntry> sheds(ClusterState state, Map<String, Long> appliedEpochs) {
        List<CopyEntry> out = new ArrayList<>();
        if (!state.hasSettings() || !state.isAssigned()) {
            return out;
        }
        int k = state.settings().replication();
        RebalancePlanner p = null;
        for (PartitionChain c : state.chains()) {
            if (!sheddable(c, k)) {
                continue;
            }
            String member = c.leaving();
            if (member.isEmpty()) {
                p = p == null ? new RebalancePlanner(state) : p;
                member = p.heaviestNonTail(c);
            }
            if (appliedEpochs.getOrDefault(member, -1L) >= c.epoch()) {
                out.add(CopyEntry.newBuilder().setPartition(c.partition()).setServerId(member)
                        .build());
            }
        }
        return out;
    }

    /** A move of this chain is under way: a member is leaving, or it has more than K. */
    /** True while a copy restores K: an available chain with fewer than K members copies. */
    static boolean restoring(ClusterState state) {
        int k = state.settings().replication();
        for (PartitionChain c : state.chains()) {
            if (!c.isUnavailable() && c.hasJoining() && c.replicas().size() < k) {
                return true;
            }
        }
        return false;
    }

    private static boolean moving(PartitionChain c, int k) {
        return c.hasLeaving() || c.replicas().size() > k;
    }

    /**
     * The chain may shed a member now, as far as the map says: more than K replicas, no copy
     * under way, not settling. ({@link #sheds} also waits for the member's applied epoch.)
     */
    public static boolean sheddable(PartitionChain c, int k) {
        return c.replicas().size() > k && !c.hasJoining() && !c.settling();
    }

    /** The ShedLeaving command for {@link #sheds}' entries at the state's epoch. */
    public static MetaCommand shedCommand(ClusterState state, List<CopyEntry> entries) {
        return MetaCommand.newBuilder().setShed(ShedLeaving.newBuilder()
                .setExpectedEpoch(state.epoch()).addAllEntries(entries)).build();
    }

    private Plan plan(int budget) {
        List<CopyEntry> moves = new ArrayList<>();
        int stuck = 0;
        for (int p = 0; p < movable.length && moves.size() < budget; p++) {
            int[] chain = movable[p];
            int drained = chain == null ? -1 : firstDraining(chain);
            if (drained < 0) {
                continue;
            }
            Move best = null;
            for (int y = 0; y < ids.size(); y++) {
                Move m = evaluate(p, drained, y);
                if (m != null && (best == null || m.betterThan(best))) {
                    best = m;
                }
            }
            if (best == null) {
                stuck++;
            } else {
                moves.add(apply(best));
            }
        }
        while (moves.size() < budget) {
            Move best = bestBalancingMove();
            if (best == null || best.potential >= 0) {
                best = moves.isEmpty() ? firstOfBestPair() : null;
            }
            if (best == null) {
                break;
            }
            moves.add(apply(best));
        }
        return new Plan(state.epoch(), moves, stuck);
    }

    /**
     * When no single move helps: the first of two moves of one chain that help together, the
     * second shedding the head (its successor leads). A chain of two whose head is on a
     * server with too many heads, and whose tail is not on one with too few, needs a move that
     * brings a light server to the tail before its head can go. The first move leaves heads as
     * they are, the second lowers them, so the potential still falls over the pair and the
     * next plan, seeing the second move lower it, makes it.
     */
    private Move firstOfBestPair() {
        long bestDelta = 0;
        Move first = null;
        int most = 0;
        for (int s = 0; s < ids.size(); s++) {
            most = eligible[s] ? Math.max(most, heads[s]) : most;
        }
        for (int p = 0; p < movable.length; p++) {
            int[] chain = movable[p];
            if (chain == null || heads[chain[0]] < most) {
                continue;       // only a head on a server with the most heads is worth it
            }
            for (int i = 1; i < chain.length; i++) {
                for (int y = 0; y < ids.size(); y++) {
                    if (!eligible[y] || contains(chain, y)) {
                        continue;
                    }
                    long before = potential();
                    int[] next = moved(chain, i, y);
                    addChain(chain, -1);
                    addChain(next, 1);
                    movable[p] = next;
                    Move second = null;
                    for (int z = 0; z < ids.size(); z++) {
                        Move m = evaluate(p, 0, z);
                        if (m != null && (second == null || m.betterThan(second))) {
                            second = m;
                        }
                    }
                    long pair = potential() - before + (second == null ? 0 : second.potential);
                    movable[p] = chain;
                    addChain(next, -1);
                    addChain(chain, 1);
                    if (second != null && pair < bestDelta) {
                        bestDelta = pair;
                        first = evaluate(p, i, y);
                    }
                }
            }
        }
        return first;
    }

    /** A candidate: partition p sheds the member at {@code position} and takes server y. */
    private record Move(int partition, int position, int server, long potential, int lanes,
                        boolean shedsTail) {
        boolean betterThan(Move o) {
            if (potential != o.potential) {
                return potential < o.potential;
            }
            if (lanes != o.lanes) {
                return lanes < o.lanes;
            }
            return !shedsTail && o.shedsTail;
        }
    }

    private Move bestBalancingMove() {
        Move best = null;
        for (int p = 0; p < movable.length; p++) {
            if (movable[p] == null) {
                continue;
            }
            for (int i = 0; i < movable[p].length; i++) {
                for (int y = 0; y < ids.size(); y++) {
                    Move m = evaluate(p, i, y);
                    if (m != null && (best == null || m.betterThan(best))) {
                        best = m;
                    }
                }
            }
        }
        return best;
    }

    /** The move's change of the potential and of the lane count; null if y cannot take it. */
    private Move evaluate(int p, int position, int y) {
        int[] chain = movable[p];
        if (!eligible[y] || contains(chain, y)) {
            return null;
        }
        int[] next = moved(chain, position, y);
        long before = potential();
        int lanesBefore = lanes;
        addChain(chain, -1);
        addChain(next, 1);
        long delta = potential() - before;
        int laneDelta = lanes - lanesBefore;
        addChain(next, -1);
        addChain(chain, 1);
        return new Move(p, position, y, delta, laneDelta, position == chain.length - 1);
    }

    private CopyEntry apply(Move m) {
        int[] chain = movable[m.partition()];
        addChain(chain, -1);
        addChain(moved(chain, m.position(), m.server()), 1);
        movable[m.partition()] = null;
        return CopyEntry.newBuilder().setPartition(m.partition())
                .setServerId(ids.get(m.server())).setLeaving(ids.get(chain[m.position()]))
                .build();
    }

    /** The chain without the member at {@code position}, with y at the tail end. */
    private static int[] moved(int[] chain, int position, int y) {
        int[] next = new int[chain.length];
        int j = 0;
        for (int i = 0; i < chain.length; i++) {
            if (i != position) {
                next[j++] = chain[i];
            }
        }
        next[j] = y;
        return next;
    }

    /** Adds (sign 1) or removes (-1) a chain's slots, head and lanes. */
    private void addChain(int[] chain, int sign) {
        for (int i = 0; i < chain.length; i++) {
            slots[chain[i]] += sign;
            if (i > 0) {
                int lane = chain[i - 1] * ids.size() + chain[i];
                lanes += laneUse[lane] == 0 ? 1 : laneUse[lane] + sign == 0 ? -1 : 0;
                laneUse[lane] += sign;
            }
            if (i > 0 && i < chain.length - 1) {
                middles[chain[i]] += sign;
            }
        }
        heads[chain[0]] += sign;
        tails[chain[chain.length - 1]] += sign;
    }

    /**
     * The potential, lexicographic in one long: heads first, then slots, then middles and
     * tails. Only differences of it are used; a move changes each component by far less than
     * 2^20, so a difference (exact even where the sums wrap) orders moves lexicographically.
     */
    private long potential() {
        long headSum = 0;
        long slotSum = 0;
        long roleSum = 0;
        for (int s = 0; s < ids.size(); s++) {
            if (eligible[s]) {
                headSum += (long) heads[s] * heads[s];
                slotSum += (long) slots[s] * slots[s];
                roleSum += (long) middles[s] * middles[s] + (long) tails[s] * tails[s];
            }
        }
        return (headSum << 42) + (slotSum << 21) + roleSum;
    }

    /**
     * The chain as it will be once its move or copy finished: members, the joining replica at
     * the tail end, without the leaving member; null if it has no live member.
     */
    private int[] project(PartitionChain c) {
        List<String> members = new ArrayList<>(c.replicas());
        if (c.hasJoining()) {
            members.add(c.joining());
        }
        if (c.hasLeaving()) {
            members.remove(c.leaving());
        }
        members.removeIf(id -> !index.containsKey(id));
        if (members.isEmpty()) {
            return null;
        }
        int[] out = new int[members.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = index.get(members.get(i));
        }
        return out;
    }

    private boolean isMovable(PartitionChain c) {
        return !c.isUnavailable() && !c.settling() && !c.hasJoining() && !c.hasLeaving()
                && c.replicas().size() == k && c.replicas().stream().allMatch(index::containsKey);
    }

    private int firstDraining(int[] chain) {
        for (int i = 0; i < chain.length; i++) {
            if (!eligible[chain[i]]) {
                return i;
            }
        }
        return -1;
    }

    /** A draining non-tail member if there is one, else the one holding most slots. */
    private String heaviestNonTail(PartitionChain c) {
        String best = null;
        for (String id : c.replicas().subList(0, c.replicas().size() - 1)) {
            int s = index.get(id);
            if (!eligible[s]) {
                return id;
            }
            if (best == null || slots[s] > slots[index.get(best)]) {
                best = id;
            }
        }
        return best;
    }

    private int spread(int[] counts) {
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        for (int s = 0; s < ids.size(); s++) {
            if (eligible[s]) {
                min = Math.min(min, counts[s]);
                max = Math.max(max, counts[s]);
            }
        }
        return max == Integer.MIN_VALUE ? 0 : max - min;
    }

    private static boolean contains(int[] chain, int s) {
        for (int x : chain) {
            if (x == s) {
                return true;
            }
        }
        return false;
    }
}
