package org.gtstore.metadata.command;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.metadata.model.ServerEntry;
import org.gtstore.proto.ServerState;

/**
 * Pure edits of the chain list shared by several commands. Each edit touches only the chains
 * that hold the server, and stamps those (and only those) with the new epoch, so a data server
 * can tell from a chain's epoch whether its chain moved.
 */
final class ChainEdits {

    private ChainEdits() {
    }

    /**
     * Removes a server from every chain, following the chain replication paper: a dead head is
     * replaced by its successor, a dead tail by its predecessor (list order does both), and a
     * dead joining replica is simply dropped. A member departs ({@link
     * PartitionChain#withoutDeadMember}, at most {@code keepDeparted} remembered); a chain that
     * loses its last replica becomes unavailable with the departed as its last replicas. A
     * settling chain whose other members all reported their tips settles; an unavailable chain
     * forgets the tip of a last replica that died again.
     */
    static List<PartitionChain> removeServer(List<PartitionChain> chains, String serverId,
                                             long newEpoch, int keepDeparted) {
        List<PartitionChain> out = new ArrayList<>(chains.size());
        for (PartitionChain c : chains) {
            if (c.contains(serverId)) {
                PartitionChain next = c.withoutDeadMember(serverId, newEpoch, keepDeparted);
                out.add(next.readyToSettle() ? next.settled(newEpoch) : next);
            } else if (c.joining().equals(serverId)) {
                out.add(c.withMembers(c.replicas(), PartitionChain.NONE, newEpoch));
            } else if (c.isUnavailable() && c.tips().containsKey(serverId)) {
                out.add(c.withoutTip(serverId));
            } else {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * The server registered again: no chain counts it as departed any more, and every
     * unavailable chain that remembers it waits for its new tip, or forgets it if it came with
     * another disk. An unavailable chain whose only last replica it is, on the same disk, is
     * served by it again at once; one that now has every tip it waits for, by the best.
     * Returns {@code chains} itself if none changed.
     */
    static List<PartitionChain> afterRegister(List<PartitionChain> chains, String serverId,
                                              boolean sameDisk, long newEpoch) {
        List<PartitionChain> out = null;
        for (int i = 0; i < chains.size(); i++) {
            PartitionChain c = chains.get(i);
            if (!c.departed().contains(serverId) && !c.lastReplicas().contains(serverId)) {
                continue;
            }
            PartitionChain next;
            if (sameDisk && c.lastReplicas().equals(List.of(serverId))) {
                next = PartitionChain.of(c.partition(), List.of(serverId), newEpoch);
            } else {
                next = c.afterRegister(serverId, sameDisk, newEpoch);
                if (next.readyToRevive()) {
                    next = next.revivedFromBest(newEpoch);
                }
            }
            if (out == null) {
                out = new ArrayList<>(chains);
            }
            out.set(i, next);
        }
        return out == null ? chains : out;
    }

    /**
     * The server restarted on its store and keeps its positions: every chain it heads (with
     * others to compare with) settles, and every settling chain it is in forgets its old tip.
     * Returns {@code chains} itself if none changed.
     */
    static List<PartitionChain> settleAfterRestart(List<PartitionChain> chains, String serverId,
                                                   long newEpoch) {
        List<PartitionChain> out = null;
        for (int i = 0; i < chains.size(); i++) {
            PartitionChain c = chains.get(i);
            boolean heads = c.head().equals(serverId) && c.replicas().size() > 1;
            if (heads || (c.settling() && c.contains(serverId))) {
                if (out == null) {
                    out = new ArrayList<>(chains);
                }
                out.set(i, c.settlingWithout(serverId, newEpoch));
            }
        }
        return out == null ? chains : out;
    }

    /** True if the server is a replica or the joining replica of any chain. */
    static boolean holdsPosition(List<PartitionChain> chains, String serverId) {
        for (PartitionChain c : chains) {
            if (c.contains(serverId) || c.joining().equals(serverId)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Derives ALIVE/JOINING from the chains: a live server is ALIVE when it is a replica of some
     * chain, JOINING otherwise. DEAD servers stay DEAD. Deriving it keeps the two from ever
     * disagreeing.
     */
    static SortedMap<String, ServerEntry> refreshStates(Map<String, ServerEntry> servers,
                                                        List<PartitionChain> chains) {
        SortedMap<String, ServerEntry> out = new TreeMap<>();
        Set<String> members = new HashSet<>();
        int live = 0;
        for (ServerEntry s : servers.values()) {
            live += s.isDead() ? 0 : 1;
        }
        // Usually every live server holds a chain near the front of the list, so the scan
        // stops after a few chains instead of visiting every replica of every partition.
        for (int p = 0; p < chains.size() && members.size() < live; p++) {
            List<String> replicas = chains.get(p).replicas();
            for (int i = 0; i < replicas.size(); i++) {
                ServerEntry s = servers.get(replicas.get(i));
                if (s != null && !s.isDead()) {
                    members.add(s.id());
                }
            }
        }
        for (ServerEntry s : servers.values()) {
            if (s.isDead()) {
                out.put(s.id(), s);
            } else {
                ServerState st = members.contains(s.id()) ? ServerState.ALIVE : ServerState.JOINING;
                out.put(s.id(), s.withState(st));
            }
        }
        return out;
    }
}
