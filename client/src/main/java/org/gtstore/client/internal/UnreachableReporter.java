package org.gtstore.client.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.gtstore.proto.ReportUnreachableResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports unreachable data servers to the metadata leader, once per (server, map epoch): when
 * a hundred requests fail on the same dead server, the leader hears about it once and every
 * request waits for that one answer.
 */
public final class UnreachableReporter {
    private static final Logger LOG = LoggerFactory.getLogger(UnreachableReporter.class);

    /** Sends one report; the metadata client fills in the reporter. */
    @FunctionalInterface
    public interface Sender {
        CompletableFuture<ReportUnreachableResponse> send(String serverId, long mapEpoch,
                String detail);
    }

    private record Key(String serverId, long mapEpoch) {
    }

    private final Sender sender;
    private final ConcurrentHashMap<Key, CompletableFuture<Long>> reports =
            new ConcurrentHashMap<>();

    public UnreachableReporter(Sender sender) {
        this.sender = sender;
    }

    /**
     * Reports the server (or joins the report already made) and gives the map epoch to wait
     * for. If the leader marked the server dead, or its map has moved past the reported epoch
     * (another reporter got there first), that is the leader's epoch after the report: fetch
     * it. If not (its probe timed out, which proves nothing), it is the reported epoch itself:
     * nothing newer exists yet.
     */
    public CompletableFuture<Long> report(String serverId, long mapEpoch, String detail) {
        Key key = new Key(serverId, mapEpoch);
        CompletableFuture<Long> mine = new CompletableFuture<>();
        CompletableFuture<Long> existing = reports.putIfAbsent(key, mine);
        if (existing != null) {
            return existing;
        }
        LOG.debug("reporting {} unreachable at epoch {}: {}", serverId, mapEpoch, detail);
        sender.send(serverId, mapEpoch, detail).whenComplete((r, err) -> {
            if (err != null) {
                reports.remove(key, mine);
                mine.completeExceptionally(err);
                return;
            }
            LOG.debug("report of {} at epoch {}: {} marked_dead={} epoch={}", serverId,
                    mapEpoch, r.getCode(), r.getMarkedDead(), r.getMapEpoch());
            long leaderEpoch = r.getMapEpoch();
            mine.complete(r.getMarkedDead() ? Math.max(leaderEpoch, mapEpoch + 1)
                    : Math.max(leaderEpoch, mapEpoch));
        });
        return mine;
    }

    /** Forgets reports made under maps older than the given epoch. */
    public void forgetBefore(long epoch) {
        reports.keySet().removeIf(k -> k.mapEpoch() < epoch);
    }
}
