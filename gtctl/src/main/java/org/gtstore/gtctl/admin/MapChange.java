package org.gtstore.gtctl.admin;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.gtstore.proto.Chain;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;

/**
 * What changed from one map to the next, summarized for {@code gtctl cluster watch} so that a
 * failure moving hundreds of partitions reads as a few lines: counts per (old head -> new head),
 * replicas removed and added per server, copies started and finished, server state changes, and
 * a few example partitions. Pure: computed from two maps.
 *
 * @param fromEpoch the first epoch of the change (equal to {@code epoch} for a single map)
 * @param epoch the epoch reached
 * @param changes how many maps the change covers
 * @param cause why the first of those maps was made
 * @param lastCause why the last one was made (equal to {@code cause} for a single map)
 * @param headMoves "old -> new" to the number of partitions whose head moved that way
 * @param tailMoves the same for tails, except a joining replica becoming the tail
 * @param replicasRemoved server to the number of chains it left
 * @param replicasAdded server to the number of chains it joined as a member (not by a copy)
 * @param copiesStarted server to the number of partitions it started copying as joining replica
 * @param copiesFinished server to the number of partitions where its copy finished
 * @param examples up to {@link #EXAMPLES_MAX} changed partitions, "p17 [a b] -> [b]"
 */
public record MapChange(
        long fromEpoch,
        long epoch,
        int changes,
        String cause,
        String lastCause,
        boolean initialAssignment,
        List<String> serverChanges,
        int partitionsChanged,
        Map<String, Integer> headMoves,
        Map<String, Integer> tailMoves,
        Map<String, Integer> replicasRemoved,
        Map<String, Integer> replicasAdded,
        Map<String, Integer> copiesStarted,
        Map<String, Integer> copiesFinished,
        List<String> examples,
        int underReplicated,
        int unavailable) {

    static final int EXAMPLES_MAX = 3;
    static final int ENTRIES_MAX = 6;

    /** The change from {@code before} (null for "nothing seen yet") to {@code after}. */
    public static MapChange between(PartitionMap before, PartitionMap after) {
        return over(before, List.of(after));
    }

    /**
     * The change from {@code before} through a burst of maps (the metadata makes one epoch per
     * partition while it restores K, so a failure can be hundreds of epochs in a second).
     */
    public static MapChange over(PartitionMap before, List<PartitionMap> burst) {
        if (burst.isEmpty()) {
            throw new IllegalArgumentException("burst is empty");
        }
        PartitionMap first = burst.get(0);
        PartitionMap after = burst.get(burst.size() - 1);
        PartitionMap old = before == null ? PartitionMap.getDefaultInstance() : before;
        Counts c = new Counts();
        List<String> examples = new ArrayList<>();
        boolean initial = old.getChainsCount() == 0 && after.getChainsCount() > 0;
        int changed = 0;
        for (int p = 0; p < after.getChainsCount(); p++) {
            Chain n = after.getChains(p);
            Chain o = p < old.getChainsCount() ? old.getChains(p) : Chain.getDefaultInstance();
            if (o.getReplicasList().equals(n.getReplicasList())
                    && o.getJoining().equals(n.getJoining())) {
                continue;
            }
            changed++;
            if (!initial) {
                c.add(o, n);
                if (examples.size() < EXAMPLES_MAX) {
                    examples.add("p" + p + " " + describe(o) + " -> " + describe(n));
                }
            }
        }
        StatusCounts s = StatusCounts.of(after);
        return new MapChange(first.getEpoch(), after.getEpoch(), burst.size(),
                first.getCause(), after.getCause(), initial,
                serverChanges(old, after), changed, sorted(c.headMoves), sorted(c.tailMoves),
                sorted(c.removed), sorted(c.added), sorted(c.copyStarted),
                sorted(c.copyFinished), examples, s.underReplicated(), s.unavailable());
    }

    /**
     * Whether the change only moved copies along (started or finished copies, members added):
     * no server changed state and no partition lost a replica or changed head or tail. The
     * re-replication after a failure is hundreds of such epochs.
     */
    public boolean routine() {
        return !initialAssignment && serverChanges.isEmpty() && headMoves.isEmpty()
                && tailMoves.isEmpty() && replicasRemoved.isEmpty();
    }

    /** The lines the watch prints for this change: one for a routine change, else a block. */
    public List<String> lines() {
        String now = "now " + underReplicated + " under-replicated, " + unavailable
                + " unavailable";
        if (routine()) {
            List<String> parts = new ArrayList<>();
            addPart(parts, "copies started", copiesStarted);
            addPart(parts, "copies finished", copiesFinished);
            addPart(parts, "replicas added", replicasAdded);
            String head = changes == 1 ? "epoch " + epoch + ": " + cause
                    : "epochs " + fromEpoch + ".." + epoch + " (" + changes + " map changes): "
                            + (parts.isEmpty() ? lastCause : String.join("; ", parts));
            return List.of(head + "; " + now);
        }
        List<String> out = new ArrayList<>();
        if (changes == 1) {
            out.add("epoch " + epoch + (cause.isEmpty() ? "" : ": " + cause));
        } else {
            out.add("epochs " + fromEpoch + ".." + epoch + " (" + changes + " map changes)");
            if (cause.equals(lastCause)) {
                out.add("  why: " + cause);
            } else {
                out.add("  first: " + cause);
                out.add("  last: " + lastCause);
            }
        }
        serverChanges.forEach(line -> out.add("  " + line));
        if (initialAssignment) {
            out.add("  initial assignment of " + partitionsChanged + " partitions");
        } else if (partitionsChanged > 0) {
            out.add("  " + partitionsChanged + " partitions changed");
        }
        addEntries(out, "heads moved", headMoves);
        addEntries(out, "tails moved", tailMoves);
        addEntries(out, "replicas removed", replicasRemoved);
        addEntries(out, "replicas added", replicasAdded);
        addEntries(out, "copies started", copiesStarted);
        addEntries(out, "copies finished", copiesFinished);
        if (!examples.isEmpty()) {
            out.add("  e.g. " + String.join("; ", examples));
        }
        out.add("  " + now);
        return out;
    }

    private static void addPart(List<String> parts, String title, Map<String, Integer> entries) {
        if (!entries.isEmpty()) {
            parts.add(title + " " + entries(entries));
        }
    }

    /** "(16): server1 x4, server2 x4, and 2 more". */
    private static String entries(Map<String, Integer> entries) {
        int total = entries.values().stream().mapToInt(Integer::intValue).sum();
        String shown = entries.entrySet().stream().limit(ENTRIES_MAX)
                .map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", "));
        int more = entries.size() - ENTRIES_MAX;
        return "(" + total + "): " + shown + (more > 0 ? ", and " + more + " more" : "");
    }

    /** One line describing a map on its own, for the start of a watch. */
    public static String summary(PartitionMap map) {
        long alive = map.getServersList().stream()
                .filter(s -> s.getState() == org.gtstore.proto.ServerState.ALIVE).count();
        StatusCounts s = StatusCounts.of(map);
        return "epoch " + map.getEpoch() + ": " + map.getServersCount() + " servers (" + alive
                + " alive), " + map.getChainsCount() + " partitions, K="
                + map.getSettings().getReplication() + ", " + s.underReplicated()
                + " under-replicated, " + s.unavailable() + " unavailable";
    }

    private static void addEntries(List<String> out, String title, Map<String, Integer> entries) {
        if (!entries.isEmpty()) {
            out.add("  " + title + " " + entries(entries));
        }
    }

    private static String describe(Chain c) {
        String members = "[" + String.join(" ", c.getReplicasList()) + "]";
        return c.getJoining().isEmpty() ? members : members + "+" + c.getJoining();
    }

    private static List<String> serverChanges(PartitionMap old, PartitionMap now) {
        Map<String, ServerInfo> before = new HashMap<>();
        old.getServersList().forEach(s -> before.put(s.getId(), s));
        List<String> lines = new ArrayList<>();
        List<ServerInfo> servers = new ArrayList<>(now.getServersList());
        servers.sort((a, b) -> StatusReport.compareIds(a.getId(), b.getId()));
        for (ServerInfo s : servers) {
            ServerInfo o = before.remove(s.getId());
            String state = StatusReport.stateName(s.getState());
            if (o == null) {
                lines.add(s.getId() + " registered at " + s.getAddress() + " (" + state + ")");
            } else if (o.getState() != s.getState()) {
                lines.add(s.getId() + " " + StatusReport.stateName(o.getState()) + " -> " + state
                        + (s.getIncarnation() != o.getIncarnation()
                            ? " (incarnation " + s.getIncarnation() + ")" : ""));
            } else if (s.getIncarnation() != o.getIncarnation()) {
                lines.add(s.getId() + " registered again (incarnation " + s.getIncarnation()
                        + ", " + state + ")");
            }
        }
        before.keySet().stream().sorted(StatusReport::compareIds)
                .forEach(id -> lines.add(id + " removed from the map"));
        return lines;
    }

    /** Largest count first, then by name, for a stable display. */
    private static Map<String, Integer> sorted(Map<String, Integer> counts) {
        Map<String, Integer> out = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted((a, b) -> a.getValue().equals(b.getValue())
                        ? a.getKey().compareTo(b.getKey())
                        : Integer.compare(b.getValue(), a.getValue()))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** The per-partition tallies of one diff. */
    private static final class Counts {
        final Map<String, Integer> headMoves = new HashMap<>();
        final Map<String, Integer> tailMoves = new HashMap<>();
        final Map<String, Integer> removed = new HashMap<>();
        final Map<String, Integer> added = new HashMap<>();
        final Map<String, Integer> copyStarted = new HashMap<>();
        final Map<String, Integer> copyFinished = new HashMap<>();

        void add(Chain o, Chain n) {
            List<String> or = o.getReplicasList();
            List<String> nr = n.getReplicasList();
            String oldHead = or.isEmpty() ? "none" : or.get(0);
            String newHead = nr.isEmpty() ? "none" : nr.get(0);
            if (!oldHead.equals(newHead)) {
                headMoves.merge(oldHead + " -> " + newHead, 1, Integer::sum);
            }
            String oldTail = or.isEmpty() ? "none" : or.get(or.size() - 1);
            String newTail = nr.isEmpty() ? "none" : nr.get(nr.size() - 1);
            // A finished copy makes the joining replica the tail; "copies finished" counts that.
            if (!oldTail.equals(newTail) && !newTail.equals(o.getJoining())) {
                tailMoves.merge(oldTail + " -> " + newTail, 1, Integer::sum);
            }
            for (String id : or) {
                if (!nr.contains(id)) {
                    removed.merge(id, 1, Integer::sum);
                }
            }
            for (String id : nr) {
                if (!or.contains(id)) {
                    (id.equals(o.getJoining()) ? copyFinished : added).merge(id, 1, Integer::sum);
                }
            }
            if (!n.getJoining().isEmpty() && !Objects.equals(n.getJoining(), o.getJoining())) {
                copyStarted.merge(n.getJoining(), 1, Integer::sum);
            }
        }
    }

    /** Under-replicated and unavailable partition counts of one map. */
    private record StatusCounts(int underReplicated, int unavailable) {
        static StatusCounts of(PartitionMap map) {
            StatusReport r = StatusReport.of(List.of(), map, Map.of());
            return new StatusCounts(r.partitions().underReplicated(),
                    r.partitions().unavailable());
        }
    }
}
