package org.gtstore.metadata.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.gtstore.metadata.command.Fixtures;
import org.gtstore.metadata.command.ReplicaRestorePlanner;
import org.gtstore.metadata.liveness.FakeClock;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.MetaCommandReply;
import org.gtstore.proto.ReportCaughtUpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Caught-up reports become FinishCopy commands: those arriving together share one, consecutive
 * ones keep the finish spacing, stale reports are answered and left out, and a leader that
 * steps down answers every waiting report NOT_LEADER.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CopyFinisherTest {
    private final FakeClock clock = new FakeClock();
    private final InstantLog instant = new InstantLog(null);
    private final AtomicReference<ClusterState> state = instant.state;
    private final List<MetaCommand> log = instant.log;
    private final AtomicBoolean leading = new AtomicBoolean(true);
    private final CopyFinisher finisher = new CopyFinisher("meta-test", clock, 300, state::get,
            instant::apply, (code, message) -> MetaCommandReply.newBuilder().setCode(code)
                    .setMessage(message).setEpoch(state.get().epoch()).build(),
            leading::get, instant.duty::add);

    /** Five servers, K=2, one death: every partition it held has a joining replica. */
    private List<PartitionChain> copying() {
        ClusterState s = Fixtures.assigned(5, 2, 8);
        s = Fixtures.apply(s, Fixtures.markDead(s, "server1"));
        s = Fixtures.apply(s, ReplicaRestorePlanner.plan(s).command());
        state.set(s);
        List<PartitionChain> joining = s.chains().stream().filter(PartitionChain::hasJoining)
                .toList();
        assertTrue(joining.size() >= 2, "copies: " + joining);
        return joining;
    }

    @Test
    void reportsArrivingTogetherShareOneFinishCopyAndTheNextKeepsTheSpacing() {
        List<PartitionChain> joining = copying();
        CompletableFuture<MetaCommandReply> a = finisher.report(report(joining.get(0)));
        CompletableFuture<MetaCommandReply> b = finisher.report(report(joining.get(1)));
        instant.runDuty();
        assertEquals(1, log.size(), "one command for both: " + log);
        assertEquals(2, log.get(0).getFinishCopy().getEntriesCount());
        assertEquals(ErrorCode.OK, a.join().getCode());
        assertEquals(ErrorCode.OK, b.join().getCode());
        if (joining.size() > 2) {
            CompletableFuture<MetaCommandReply> c = finisher.report(report(joining.get(2)));
            instant.runDuty();
            assertFalse(c.isDone(), "within the spacing it waits for a tick");
            clock.advanceMs(300);
            finisher.finishDue();
            assertEquals(ErrorCode.OK, c.join().getCode());
        }
    }

    @Test
    void aReportThatWentStaleIsAnsweredAndLeftOut() {
        List<PartitionChain> joining = copying();
        PartitionChain first = joining.get(0);
        PartitionChain other = joining.stream().filter(c -> !first.contains(c.joining())
                && !first.joining().equals(c.joining())).findFirst().orElseThrow();
        CompletableFuture<MetaCommandReply> fresh = finisher.report(report(first));
        CompletableFuture<MetaCommandReply> stale = finisher.report(report(other));
        ClusterState s = state.get();
        state.set(Fixtures.apply(s, Fixtures.markDead(s, other.joining())));
        instant.runDuty();
        assertEquals(ErrorCode.OK, fresh.join().getCode());
        assertEquals(ErrorCode.EPOCH_MISMATCH, stale.join().getCode(), "its chain changed");
        assertEquals(1, log.get(0).getFinishCopy().getEntriesCount());
    }

    @Test
    void aLeaderThatStepsDownAnswersEveryWaitingReport() {
        List<PartitionChain> joining = copying();
        CompletableFuture<MetaCommandReply> waiting = finisher.report(report(joining.get(0)));
        finisher.leadershipLost();
        assertEquals(ErrorCode.NOT_LEADER, waiting.join().getCode());
        leading.set(false);
        instant.runDuty();
        assertTrue(log.isEmpty(), "nothing logged: " + log);
    }

    private ReportCaughtUpRequest report(PartitionChain c) {
        return ReportCaughtUpRequest.newBuilder().setPartition(c.partition())
                .setServerId(c.joining()).setReporter(c.tail()).setMapEpoch(state.get().epoch())
                .setJoiningIncarnation(state.get().server(c.joining()).orElseThrow()
                        .incarnation()).build();
    }
}
