package org.gtstore.metadata.command;

import java.util.ArrayList;
import java.util.List;
import org.gtstore.proto.AssignChains;
import org.gtstore.proto.Chain;

/**
 * Computes the first assignment of chains: every partition gets K distinct servers, every
 * server heads floor or ceil(P/N) partitions and holds floor or ceil(P*K/N) replica slots,
 * and every server forwards to at most two successors. The leader runs it once and logs the
 * result as data (AssignChains), so no member ever recomputes it differently.
 *
 * <p>The servers form a ring in the given order, and every chain walks K consecutive servers
 * of it, clockwise or counter-clockwise. Partitions are placed in rounds of N; round r walks
 * clockwise when r is even and counter-clockwise when it is odd:
 *
 * <pre>
 *   round 0 (+1):  partition i       = i, i+1, ..., i+K-1   (mod N)
 *   round 1 (-1):  partition N + i   = i, i-1, ..., i-K+1   (mod N)
 * </pre>
 *
 * <p>In a full round each server heads one chain and holds K slots. A server's successors are
 * its two ring neighbours, so there are at most 2N chain lanes (streams from a server to its
 * successor) and each one carries a large share of the writes, which lets updates batch. The
 * alternation is what spreads a dead server's load: the chains it headed are promoted half to
 * one neighbour and half to the other, so with N servers the busiest survivor heads about
 * 1.5 (N-1)/N times the survivors' mean.
 *
 * <p>The last, partial round of R &lt; N partitions walks in the direction its round number
 * gives, starting at the evenly spaced servers floor(c*N/R). The starts are distinct, so the
 * heads are, and every K consecutive servers of the ring hold floor or ceil(K*R/N) of the
 * starts, so every server holds floor or ceil(K*R/N) slots of that round.
 */
public final class ChainPlacement {

    private ChainPlacement() {
    }

    /**
     * @param serverIds  the servers to place on, in a fixed (sorted) order: the ring's order
     * @param partitions P
     * @param replication K, at most the number of servers
     * @return the chains, head first, indexed by partition
     */
    public static List<List<String>> place(List<String> serverIds, int partitions,
                                           int replication) {
        int n = serverIds.size();
        if (replication < 1 || replication > n) {
            throw new IllegalArgumentException("replication must be in [1, " + n + "]: "
                    + replication);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions < 1: " + partitions);
        }
        List<List<String>> chains = new ArrayList<>(partitions);
        int fullRounds = partitions / n;
        for (int round = 0; round < fullRounds; round++) {
            for (int i = 0; i < n; i++) {
                chains.add(walk(serverIds, i, direction(round), replication));
            }
        }
        int rest = partitions % n;
        for (int c = 0; c < rest; c++) {
            int start = (int) ((long) c * n / rest);
            chains.add(walk(serverIds, start, direction(fullRounds), replication));
        }
        return chains;
    }

    /** The AssignChains command for {@link #place}, to be applied at {@code expectedEpoch}. */
    public static AssignChains assignCommand(List<String> serverIds, int partitions,
                                             int replication, long expectedEpoch) {
        List<List<String>> chains = place(serverIds, partitions, replication);
        AssignChains.Builder b = AssignChains.newBuilder().setExpectedEpoch(expectedEpoch)
                .setReason("first assignment over " + serverIds.size() + " servers, K="
                        + replication);
        for (int p = 0; p < chains.size(); p++) {
            b.addChains(Chain.newBuilder().setPartition(p).addAllReplicas(chains.get(p)));
        }
        return b.build();
    }

    /** +1 (clockwise) for even rounds, -1 for odd ones. */
    private static int direction(int round) {
        return round % 2 == 0 ? 1 : -1;
    }

    /** K consecutive ring positions from {@code start}, distinct because K is at most N. */
    private static List<String> walk(List<String> ids, int start, int direction, int k) {
        int n = ids.size();
        List<String> chain = new ArrayList<>(k);
        for (int j = 0; j < k; j++) {
            chain.add(ids.get(Math.floorMod(start + direction * j, n)));
        }
        return chain;
    }
}
