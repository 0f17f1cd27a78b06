package org.gtstore.metadata.command;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gtstore.metadata.model.PartitionChain;

/**
 * Chooses the joining server of every short chain of one restore plan so that replica slots
 * end balanced and as few new chain lanes as that allows appear. A joining server is copied
 * to by the chain's tail and then becomes its tail, so it adds the lane (tail, joining); the
 * ring placement gives every server two successors, and a choice that reuses a lane keeps it
 * so, while one that opens a lane costs one more stream whose batches are thinner.
 *
 * <p>It is a transportation problem. Short chains with the same tail and members are
 * interchangeable, so they form one group whose demand is their number; a server's capacity
 * is what it may take without rising above a water level; a group may send to a server not in
 * its chain along a lane its tail already has. A max flow fills the levels in two stages,
 * every server to W-1 and then to W, where W is the lowest level that holds every copy, so
 * slots end within one wherever membership allows (flow into a server never shrinks, so the
 * first stage's fill survives the second).
 *
 * <pre>
 *   source --demand--> group (tail t, members) --lane t->s--> server s --room below W--> sink
 * </pre>
 *
 * <p>When the flow along existing lanes stalls, it takes the augmenting path that opens new
 * lanes whose busier end then has the fewest lanes (a bound tried from 1 upwards), and among
 * those the path that opens the fewest; an opened lane serves every group with that tail.
 * Chains the levels cannot take are left without a pick for the caller's fallback.
 */
final class CopyFlow {

    private static final int UNBOUNDED = Integer.MAX_VALUE / 4;

    /** Interchangeable short chains: same tail, same members; {@code tail} a server index. */
    private record Group(int tail, boolean[] members, List<Integer> targets) {
    }

    private final int serverCount;
    private final List<Group> groups = new ArrayList<>();
    private final boolean[][] lane;
    private final int[] successors;
    private final int[] predecessors;
    /** Residual capacities: node 0 the source, then groups, then servers, then the sink. */
    private int[][] residual;
    private int sink;
    /** The nodes an edge may lead to: from the source, from a group, from a server. */
    private int[] fromSource;
    private int[] fromGroup;
    private int[] fromServer;

    private CopyFlow(int serverCount) {
        this.serverCount = serverCount;
        lane = new boolean[serverCount][serverCount];
        successors = new int[serverCount];
        predecessors = new int[serverCount];
    }

    /**
     * @param chains  every chain of the map, for the lanes that exist
     * @param targets the short chains to give a joining server, each with a live server that
     *                is not in it
     * @param servers the live servers, in id order
     * @param slots   each live server's replica slots plus copies in progress
     * @return the chosen server per target, or null where the levels left it without one
     */
    static String[] picks(List<PartitionChain> chains, List<PartitionChain> targets,
                          List<String> servers, int[] slots) {
        if (targets.isEmpty()) {
            return new String[0];
        }
        Map<String, Integer> index = new HashMap<>();
        for (int s = 0; s < servers.size(); s++) {
            index.put(servers.get(s), s);
        }
        CopyFlow f = new CopyFlow(servers.size());
        for (PartitionChain c : chains) {
            f.addExistingLanes(c, index);
        }
        f.group(targets, index);
        f.build();
        int level = waterLevel(slots, targets.size());
        for (int stage = level - 1; stage <= level; stage++) {
            for (int s = 0; s < f.serverCount; s++) {
                f.raiseCapacity(s, Math.max(0, stage - slots[s]));
            }
            f.fill();
        }
        return f.assignment(targets.size(), servers);
    }

    /** The lowest W at which the servers' room below W holds {@code copies} more slots. */
    private static int waterLevel(int[] slots, int copies) {
        int level = Arrays.stream(slots).min().orElse(0);
        while (room(slots, level) < copies) {
            level++;
        }
        return level;
    }

    private static long room(int[] slots, int level) {
        long room = 0;
        for (int s : slots) {
            room += Math.max(0, level - s);
        }
        return room;
    }

    private void addExistingLanes(PartitionChain c, Map<String, Integer> index) {
        List<String> r = c.replicas();
        for (int i = 0; i + 1 < r.size(); i++) {
            addLane(index.get(r.get(i)), index.get(r.get(i + 1)));
        }
        if (c.hasJoining() && !r.isEmpty()) {
            addLane(index.get(c.tail()), index.get(c.joining()));
        }
    }

    private void addLane(Integer from, Integer to) {
        if (from != null && to != null && !lane[from][to]) {
            lane[from][to] = true;
            successors[from]++;
            predecessors[to]++;
        }
    }

    private void group(List<PartitionChain> targets, Map<String, Integer> index) {
        Map<List<Object>, Group> byKey = new LinkedHashMap<>();
        for (int t = 0; t < targets.size(); t++) {
            PartitionChain c = targets.get(t);
            boolean[] members = new boolean[serverCount];
            for (String id : c.replicas()) {
                Integer s = index.get(id);
                if (s != null) {
                    members[s] = true;
                }
            }
            int tail = index.getOrDefault(c.tail(), -1);
            Group g = byKey.computeIfAbsent(List.of(tail, Arrays.toString(members)),
                    key -> new Group(tail, members, new ArrayList<>()));
            g.targets().add(t);
        }
        groups.addAll(byKey.values());
    }

    private int groupNode(int g) {
        return 1 + g;
    }

    private int serverNode(int s) {
        return 1 + groups.size() + s;
    }

    private void build() {
        sink = 1 + groups.size() + serverCount;
        residual = new int[sink + 1][sink + 1];
        fromSource = new int[groups.size()];
        fromGroup = new int[serverCount];
        fromServer = new int[groups.size() + 1];
        for (int g = 0; g < groups.size(); g++) {
            fromSource[g] = groupNode(g);
            fromServer[g] = groupNode(g);
        }
        fromServer[groups.size()] = sink;
        for (int s = 0; s < serverCount; s++) {
            fromGroup[s] = serverNode(s);
        }
        for (int g = 0; g < groups.size(); g++) {
            residual[0][groupNode(g)] = groups.get(g).targets().size();
            for (int s = 0; s < serverCount; s++) {
                if (eligible(g, s) && laneFrom(g, s)) {
                    residual[groupNode(g)][serverNode(s)] = UNBOUNDED;
                }
            }
        }
    }

    private boolean eligible(int g, int s) {
        return !groups.get(g).members()[s];
    }

    /** True if the group's tail already forwards to {@code s} (a tailless chain: always). */
    private boolean laneFrom(int g, int s) {
        int tail = groups.get(g).tail();
        return tail < 0 || lane[tail][s];
    }

    private void raiseCapacity(int s, int capacity) {
        int used = residual[sink][serverNode(s)];
        residual[serverNode(s)][sink] = Math.max(0, capacity - used);
    }

    /** Augments until the flow is maximal, opening lanes whenever that lets it grow. */
    private void fill() {
        while (augment(0) || augmentOpeningLanes()) {
            // each round moves at least one more copy to a server with room
        }
    }

    /**
     * One augmenting path that opens new lanes, the one whose busiest new lane end has the
     * fewest lanes and, among those, that opens the fewest; false if none exists.
     */
    private boolean augmentOpeningLanes() {
        for (int degreeMax = 1; degreeMax <= serverCount; degreeMax++) {
            if (augment(degreeMax)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Pushes flow along one path from the source to the sink with the fewest new lanes, each
     * leaving both its ends with at most {@code degreeMax} lanes (0: no new lanes), and opens
     * them. The search is a 0-1 breadth-first search: a residual edge costs nothing, a new
     * lane costs one.
     */
    private boolean augment(int degreeMax) {
        int[] parent = new int[sink + 1];
        int[] cost = new int[sink + 1];
        Arrays.fill(parent, -1);
        Arrays.fill(cost, Integer.MAX_VALUE);
        cost[0] = 0;
        ArrayDeque<Integer> deque = new ArrayDeque<>(List.of(0));
        while (!deque.isEmpty()) {
            int u = deque.pollFirst();
            for (int v : neighbours(u)) {
                int step = residual[u][v] > 0 ? 0 : opensLane(u, v, degreeMax) ? 1 : -1;
                if (step >= 0 && cost[u] + step < cost[v]) {
                    cost[v] = cost[u] + step;
                    parent[v] = u;
                    if (step == 0) {
                        deque.addFirst(v);
                    } else {
                        deque.addLast(v);
                    }
                }
            }
        }
        if (parent[sink] < 0) {
            return false;
        }
        int push = Integer.MAX_VALUE;
        for (int v = sink; v != 0; v = parent[v]) {
            int u = parent[v];
            if (residual[u][v] == 0) {
                openLane(u - 1, v - 1 - groups.size());
            }
            push = Math.min(push, residual[u][v]);
        }
        for (int v = sink; v != 0; v = parent[v]) {
            residual[parent[v]][v] -= push;
            residual[v][parent[v]] += push;
        }
        return true;
    }

    /** Source to groups, group to servers, server to groups (undoing flow) and the sink. */
    private int[] neighbours(int u) {
        if (u == 0) {
            return fromSource;
        }
        if (u <= groups.size()) {
            return fromGroup;
        }
        return u < sink ? fromServer : new int[0];
    }

    /**
     * True if u is a group and v a server outside its chain that its tail does not forward to,
     * and the lane from the tail to v would leave both at most {@code degreeMax} lanes.
     */
    private boolean opensLane(int u, int v, int degreeMax) {
        int g = u - 1;
        int s = v - 1 - groups.size();
        if (degreeMax == 0 || g < 0 || g >= groups.size() || s < 0 || s >= serverCount
                || !eligible(g, s) || laneFrom(g, s)) {
            return false;
        }
        int tail = groups.get(g).tail();
        return Math.max(successors[tail], predecessors[s]) + 1 <= degreeMax;
    }

    /** Opens the lane (tail of group g, server s) for every group with that tail. */
    private void openLane(int g, int s) {
        int tail = groups.get(g).tail();
        addLane(tail, s);
        for (int h = 0; h < groups.size(); h++) {
            if (groups.get(h).tail() == tail && eligible(h, s)
                    && residual[groupNode(h)][serverNode(s)] == 0
                    && residual[serverNode(s)][groupNode(h)] == 0) {
                residual[groupNode(h)][serverNode(s)] = UNBOUNDED;
            }
        }
    }

    /** Hands each group's targets, in order, to the servers its flow went to, in id order. */
    private String[] assignment(int targetCount, List<String> servers) {
        String[] out = new String[targetCount];
        for (int g = 0; g < groups.size(); g++) {
            List<Integer> targets = groups.get(g).targets();
            int next = 0;
            for (int s = 0; s < serverCount; s++) {
                for (int sent = residual[serverNode(s)][groupNode(g)]; sent > 0; sent--) {
                    out[targets.get(next++)] = servers.get(s);
                }
            }
        }
        return out;
    }
}
