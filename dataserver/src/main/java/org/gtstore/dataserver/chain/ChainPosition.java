package org.gtstore.dataserver.chain;

import java.util.List;
import org.gtstore.proto.Chain;

/**
 * Where this server stands in one partition's chain, derived from the map.
 *
 * <pre>
 *   head ──► middle ──► tail ┄┄► joining
 *   (replicas[0])  (replicas[n-1])  (not a member: fed by the tail, never commits or serves)
 * </pre>
 *
 * @param member this server is one of the chain's replicas (false: it is the joining replica)
 * @param head it assigns sequence numbers and accepts writes
 * @param tail it commits on apply and serves reads
 * @param predecessor the server that feeds it, or null for the head
 * @param successor the server it feeds, or null; for the tail, the joining replica if any
 * @param successorJoining the successor is the joining replica, whose acks do not commit
 */
public record ChainPosition(
        boolean member,
        boolean head,
        boolean tail,
        String predecessor,
        String successor,
        boolean successorJoining) {

    /** The position of {@code self} in {@code chain}, or null if it is not in it. */
    public static ChainPosition of(Chain chain, String self) {
        List<String> r = chain.getReplicasList();
        int n = r.size();
        int i = r.indexOf(self);
        String joining = chain.getJoining();
        if (i >= 0) {
            boolean tail = i == n - 1;
            boolean feedsJoining = tail && !joining.isEmpty() && !joining.equals(self);
            String successor = tail ? (feedsJoining ? joining : null) : r.get(i + 1);
            return new ChainPosition(true, i == 0, tail, i > 0 ? r.get(i - 1) : null,
                    successor, feedsJoining);
        }
        if (n > 0 && joining.equals(self)) {
            return new ChainPosition(false, false, false, r.get(n - 1), null, false);
        }
        return null;
    }

    /** Short form for logs: head, middle, tail, head+tail or joining. */
    public String role() {
        if (!member) {
            return "joining";
        }
        if (head && tail) {
            return "head+tail";
        }
        return head ? "head" : tail ? "tail" : "middle";
    }
}
