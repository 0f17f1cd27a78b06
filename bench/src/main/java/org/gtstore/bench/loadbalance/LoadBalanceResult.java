package org.gtstore.bench.loadbalance;

import java.util.List;
import java.util.Map;

/**
 * Keys per server after inserting distinct keys, counted up to three ways.
 *
 * @param keys keys written successfully (the inserts that failed are in {@code errors})
 * @param errors inserts that failed after the client's retries
 * @param source which count {@code keysPerServer} is
 * @param keysPerServer the reported count, by server id in natural order (server2 before server10)
 * @param maxOverMean the largest count over the mean; 1.0 is a perfect spread
 * @param minOverMean the smallest count over the mean
 * @param mapEpoch the epoch of the map used for {@code byMap}
 * @param byServerStats the servers' own {@code keys_headed}; empty if they could not be asked
 * @param byMap the inserted keys routed through the map to their chain's head
 * @param byPutReplies the server each put's reply named as the head that accepted it; empty if
 *     the target does not say
 * @param notes disagreements between the counts and why a source was chosen, for the report
 */
public record LoadBalanceResult(
        int keys,
        long errors,
        CountSource source,
        Map<String, Long> keysPerServer,
        double maxOverMean,
        double minOverMean,
        long mapEpoch,
        Map<String, Long> byServerStats,
        Map<String, Long> byMap,
        Map<String, Long> byPutReplies,
        List<String> notes) {

    public LoadBalanceResult {
        keysPerServer = ServerIds.sorted(keysPerServer);
        byServerStats = ServerIds.sorted(byServerStats);
        byMap = ServerIds.sorted(byMap);
        byPutReplies = ServerIds.sorted(byPutReplies);
        notes = List.copyOf(notes);
    }
}
