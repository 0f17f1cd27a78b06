package org.gtstore.dataserver.server;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.gtstore.dataserver.chain.CaughtUpReport;
import org.gtstore.dataserver.rpc.UnreachableReporter;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.PartitionTip;
import org.gtstore.proto.ReportCaughtUpRequest;
import org.gtstore.proto.ReportCaughtUpResponse;
import org.gtstore.proto.ReportUnreachableRequest;
import org.gtstore.proto.ReportUnreachableResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this data server tells the metadata leader on its own initiative: neighbours its chain
 * streams cannot reach (ReportUnreachable), joining replicas it has caught up as their tail
 * (ReportCaughtUp, at most one per joining replica in flight, with a deadline that outlasts the
 * leader's command, since it is answered once FinishCopy applied), and its tips in settling
 * chains (with the next heartbeat). An answer that shows a newer map epoch asks for that map.
 */
final class MetadataReports implements UnreachableReporter, ReplicaReporter {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataReports.class);

    private final String serverId;
    private final MetadataMembers members;
    private final MapFollower maps;
    private final long commandTimeoutMs;
    private final Consumer<List<PartitionTip>> heartbeatTips;
    /** Caught-up reports awaiting an answer: "partition/joining/epoch" to the member asked. */
    private final Map<String, String> caughtUpInFlight = new HashMap<>();

    /**
     * @param commandTimeoutMs deadline of a call answered once a Raft command applied
     * @param heartbeatTips sends tips with a heartbeat now (see {@link MetadataSession})
     */
    MetadataReports(String serverId, MetadataMembers members, MapFollower maps,
            long commandTimeoutMs, Consumer<List<PartitionTip>> heartbeatTips) {
        this.serverId = serverId;
        this.members = members;
        this.maps = maps;
        this.commandTimeoutMs = commandTimeoutMs;
        this.heartbeatTips = heartbeatTips;
    }

    @Override
    public void reportUnreachable(String peer, String detail) {
        members.onThread(() -> {
            String target = members.leader();
            ReportUnreachableRequest req = ReportUnreachableRequest.newBuilder()
                    .setReporter(serverId).setServerId(peer)
                    .setMapEpoch(maps.appliedEpoch()).setDetail(detail).build();
            members.stub(target).reportUnreachable(req, members.callback(
                    (ReportUnreachableResponse r) -> {
                        LOG.info("[{}] reported {} unreachable to {}: {} marked_dead={}",
                                serverId, peer, target, r.getCode(), r.getMarkedDead());
                        if (r.getCode() == ErrorCode.NOT_LEADER) {
                            members.follow(target, r.getLeaderHint());
                        } else {
                            maps.sawEpoch(r.getMapEpoch());
                        }
                    },
                    t -> LOG.warn("[{}] reporting {} unreachable to {} failed: {}", serverId,
                            peer, target, MetadataMembers.describe(t))));
        });
    }

    /**
     * Sends the report unless the same one (partition, joining replica, map epoch) still waits
     * for the same member's answer: the replica repeats a report every few ticks until the map
     * changes, and the leader answers only once its FinishCopy applied, which on a busy leader
     * takes longer than that.
     */
    @Override
    public void reportCaughtUp(CaughtUpReport report) {
        members.onThread(() -> {
            String target = members.leader();
            String key = report.partition() + "/" + report.joining() + "/" + report.mapEpoch();
            if (target.equals(caughtUpInFlight.get(key))) {
                return;
            }
            caughtUpInFlight.put(key, target);
            ReportCaughtUpRequest req = ReportCaughtUpRequest.newBuilder().setReporter(serverId)
                    .setPartition(report.partition()).setServerId(report.joining())
                    .setMapEpoch(report.mapEpoch()).setSeq(report.seq())
                    .setJoiningIncarnation(report.joiningIncarnation()).build();
            Consumer<ReportCaughtUpResponse> onAnswer = r -> {
                caughtUpInFlight.remove(key, target);
                if (r.getCode() == ErrorCode.NOT_LEADER) {
                    members.follow(target, r.getLeaderHint());
                } else if (r.getCode() != ErrorCode.OK) {
                    LOG.debug("[{} p={}] caught-up report for {} answered {}", serverId,
                            report.partition(), report.joining(), r.getCode());
                }
                maps.sawEpoch(r.getMapEpoch());
            };
            Consumer<Throwable> onFailure = t -> {
                caughtUpInFlight.remove(key, target);
                LOG.debug("[{} p={}] caught-up report to {} failed: {}", serverId,
                        report.partition(), target, MetadataMembers.describe(t));
                members.failed(target);
            };
            members.stub(target, commandTimeoutMs).reportCaughtUp(req,
                    members.callback(onAnswer, onFailure));
        });
    }

    /**
     * The tips go with a heartbeat sent now (a settling chain takes no writes until the leader
     * has every member's); a lost one is repeated by the replica.
     */
    @Override
    public void reportTips(List<PartitionTip> tips) {
        heartbeatTips.accept(List.copyOf(tips));
    }
}
