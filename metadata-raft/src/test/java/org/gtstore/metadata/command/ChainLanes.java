package org.gtstore.metadata.command;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.gtstore.metadata.model.PartitionChain;

/**
 * The chain lanes of a set of chains: the (server, successor) pairs along every chain, the
 * tail's stream to a joining replica included. Each lane is one stream between two servers,
 * so the fewer there are, the more updates each message of a stream carries.
 */
final class ChainLanes {

    private final Map<String, Set<String>> successors = new TreeMap<>();
    private final Map<String, Set<String>> predecessors = new TreeMap<>();

    ChainLanes(List<PartitionChain> chains) {
        for (PartitionChain c : chains) {
            List<String> r = c.replicas();
            for (int i = 0; i + 1 < r.size(); i++) {
                add(r.get(i), r.get(i + 1));
            }
            if (c.hasJoining() && !r.isEmpty()) {
                add(c.tail(), c.joining());
            }
        }
    }

    private void add(String from, String to) {
        successors.computeIfAbsent(from, x -> new TreeSet<>()).add(to);
        predecessors.computeIfAbsent(to, x -> new TreeSet<>()).add(from);
    }

    /** The number of distinct (server, successor) pairs. */
    int count() {
        return successors.values().stream().mapToInt(Set::size).sum();
    }

    /** The most distinct successors any one server forwards to. */
    int maxSuccessors() {
        return successors.values().stream().mapToInt(Set::size).max().orElse(0);
    }

    /** The most distinct predecessors any one server receives from. */
    int maxPredecessors() {
        return predecessors.values().stream().mapToInt(Set::size).max().orElse(0);
    }

    @Override
    public String toString() {
        return count() + " lanes, successors " + successors;
    }
}
