package org.gtstore.metadata.command;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gtstore.proto.AssignChains;
import org.gtstore.proto.Chain;

/**
 * Computes the first assignment of chains: every partition gets K distinct servers, every
 * server heads floor or ceil(P/N) partitions and holds floor or ceil(P*K/N) replica slots.
 * The leader runs it once and logs the result as data (AssignChains), so no member ever
 * recomputes it differently.
 *
 * <p>Partitions are placed in rounds of N. In a full round, partition {@code r*N + i} gets
 * servers {@code i, i+d, i+2d, ...} (mod N) for a stride d that varies by round, so each server
 * heads exactly one chain and holds exactly K slots per round, and the chains a server heads
 * are followed by different servers (after it dies, its load spreads instead of landing on one
 * neighbour). The last, partial round of R < N partitions lays its R*K slots on consecutive
 * servers (balanced within one) and picks R distinct heads by bipartite matching, which always
 * exists because no server holds more than K of those slots.
 */
public final class ChainPlacement {

    private ChainPlacement() {
    }

    /**
     * @param serverIds  the servers to place on, in a fixed (sorted) order
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
        List<Integer> strides = strides(n, replication);
        List<List<String>> chains = new ArrayList<>(partitions);
        int fullRounds = partitions / n;
        for (int round = 0; round < fullRounds; round++) {
            int stride = strides.get(round % strides.size());
            for (int i = 0; i < n; i++) {
                List<String> chain = new ArrayList<>(replication);
                for (int j = 0; j < replication; j++) {
                    chain.add(serverIds.get((int) ((i + (long) j * stride) % n)));
                }
                chains.add(chain);
            }
        }
        chains.addAll(partialRound(serverIds, partitions % n, replication));
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

    /** Strides d for which i, i+d, ..., i+(K-1)d are distinct mod N. Stride 1 always is. */
    private static List<Integer> strides(int n, int replication) {
        List<Integer> out = new ArrayList<>();
        for (int d = 1; d < n; d++) {
            if (n / gcd(d, n) >= replication) {
                out.add(d);
            }
        }
        if (out.isEmpty()) {
            out.add(1);
        }
        return out;
    }

    private static List<List<String>> partialRound(List<String> ids, int chainCount, int k) {
        int n = ids.size();
        int[][] members = new int[chainCount][k];
        for (int c = 0; c < chainCount; c++) {
            for (int j = 0; j < k; j++) {
                members[c][j] = (c * k + j) % n;
            }
        }
        int[] headOf = distinctHeads(members, n);
        List<List<String>> out = new ArrayList<>(chainCount);
        for (int c = 0; c < chainCount; c++) {
            List<String> chain = new ArrayList<>(k);
            chain.add(ids.get(headOf[c]));
            for (int m : members[c]) {
                if (m != headOf[c]) {
                    chain.add(ids.get(m));
                }
            }
            out.add(chain);
        }
        return out;
    }

    /** Kuhn's augmenting-path matching of chains to distinct member servers. */
    private static int[] distinctHeads(int[][] members, int n) {
        int[] chainOfServer = new int[n];
        Arrays.fill(chainOfServer, -1);
        for (int c = 0; c < members.length; c++) {
            if (!augment(c, members, chainOfServer, new boolean[n])) {
                throw new IllegalStateException("no distinct heads for the partial round: "
                        + Arrays.deepToString(members));
            }
        }
        int[] headOf = new int[members.length];
        for (int s = 0; s < n; s++) {
            if (chainOfServer[s] >= 0) {
                headOf[chainOfServer[s]] = s;
            }
        }
        return headOf;
    }

    private static boolean augment(int c, int[][] members, int[] chainOfServer,
                                   boolean[] visited) {
        for (int s : members[c]) {
            if (visited[s]) {
                continue;
            }
            visited[s] = true;
            if (chainOfServer[s] < 0 || augment(chainOfServer[s], members, chainOfServer,
                    visited)) {
                chainOfServer[s] = c;
                return true;
            }
        }
        return false;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
