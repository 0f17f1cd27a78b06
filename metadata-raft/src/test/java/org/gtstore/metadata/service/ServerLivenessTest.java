package org.gtstore.metadata.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.gtstore.metadata.command.Fixtures;
import org.gtstore.metadata.liveness.FakeClock;
import org.gtstore.metadata.liveness.ServerProber.ProbeResult;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.MetaCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How the leader judges data servers alive, without Ratis: commands go to an in-memory log, time
 * is fake and the duty executor is a queue the test runs ({@link InstantLog}).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ServerLivenessTest {
    private static final long FAILURE_TIMEOUT_MS = 2000;

    private final FakeClock clock = new FakeClock();
    private final InstantLog instant = new InstantLog(Fixtures.assigned(4, 3, 8));
    private final AtomicBoolean leading = new AtomicBoolean(true);
    private final AtomicReference<ProbeResult> probe = new AtomicReference<>(ProbeResult.REFUSED);
    /** Runs as each command is submitted, before it applies. */
    private Consumer<MetaCommand> whileSubmitting = cmd -> { };
    private final LeaderDuty duty = new LeaderDuty("meta-test", cmd -> {
        whileSubmitting.accept(cmd);
        return CompletableFuture.completedFuture(instant.apply(cmd));
    }, 1000, instant.duty::add, instant.state::get);

    private ServerLiveness liveness(long restartGraceMs) {
        ServerLiveness l = new ServerLiveness("meta-test", clock, FAILURE_TIMEOUT_MS,
                restartGraceMs, address -> CompletableFuture.completedFuture(probe.get()),
                instant.state::get, leading::get, duty);
        l.leadershipGained();
        return l;
    }

    private List<String> markedDead() {
        return instant.log.stream().filter(MetaCommand::hasMarkDead)
                .map(c -> c.getMarkDead().getServerId()).toList();
    }

    private void heartbeatAllBut(ServerLiveness l, String silent) {
        for (String id : List.of("server1", "server2", "server3", "server4")) {
            if (!id.equals(silent)) {
                assertEquals(ErrorCode.OK, l.heartbeat(id, 1));
            }
        }
    }

    @Test
    void aServerSilentPastTheTimeoutIsMarkedDeadOnceAndItsHeartbeatRefused() {
        ServerLiveness l = liveness(0);
        clock.advanceMs(FAILURE_TIMEOUT_MS / 2);
        heartbeatAllBut(l, "server2");
        clock.advanceMs(FAILURE_TIMEOUT_MS);
        heartbeatAllBut(l, "server2");
        l.markSilentServersDead();
        assertEquals(List.of("server2"), markedDead());
        assertEquals(ErrorCode.UNKNOWN_SERVER, l.heartbeat("server2", 1), "declared dead");
        l.markSilentServersDead();
        assertEquals(List.of("server2"), markedDead(), "once");
    }

    @Test
    void aServerFoundSilentGetsNoLeaseWhileItsMarkDeadApplies() {
        ServerLiveness l = liveness(0);
        clock.advanceMs(FAILURE_TIMEOUT_MS + 1);
        heartbeatAllBut(l, "server2");
        List<ErrorCode> meanwhile = new java.util.ArrayList<>();
        whileSubmitting = cmd -> meanwhile.add(l.heartbeat("server2", 1));
        l.markSilentServersDead();
        assertEquals(List.of(ErrorCode.UNAVAILABLE), meanwhile,
                "condemned: a lease now would outlive the moment its chains move");
    }

    @Test
    void aServerHeardAgainBeforeItsTurnIsAlive() {
        ServerLiveness l = liveness(0);
        clock.advanceMs(FAILURE_TIMEOUT_MS + 1);
        heartbeatAllBut(l, "server2");
        heartbeatAllBut(l, "");
        l.markSilentServersDead();
        assertEquals(List.of(), markedDead());
    }

    @Test
    void aNewLeaderGivesEveryServerTheTimeoutOfGrace() {
        ServerLiveness l = liveness(0);
        clock.advanceMs(FAILURE_TIMEOUT_MS - 1);
        l.markSilentServersDead();
        assertEquals(List.of(), markedDead(), "nobody was heard, but the grace is not over");
        clock.advanceMs(2);
        l.markSilentServersDead();
        assertEquals(4, markedDead().size());
    }

    @Test
    void aFormingClusterIsNotJudgedBySilence() {
        ServerLiveness l = liveness(0);
        l.forming(5 * FAILURE_TIMEOUT_MS);
        clock.advanceMs(3 * FAILURE_TIMEOUT_MS);
        l.markSilentServersDead();
        assertEquals(List.of(), markedDead());
    }

    @Test
    void aHeartbeatOfAnotherIncarnationIsUnknown() {
        ServerLiveness l = liveness(0);
        assertEquals(ErrorCode.UNKNOWN_SERVER, l.heartbeat("server1", 2));
        assertEquals(ErrorCode.UNKNOWN_SERVER, l.heartbeat("server9", 1));
    }

    @Test
    void aRefusedProbeMarksDeadAtOnceWithoutARestartGrace() throws Exception {
        ServerLiveness l = liveness(0);
        CompletableFuture<Boolean> dead = l.reportUnreachable("server3", "server1");
        instant.runDuty();
        assertTrue(dead.get());
        assertEquals(List.of("server3"), markedDead());
    }

    @Test
    void aProbeWithoutAnswerLeavesItToTheTimeout() throws Exception {
        probe.set(ProbeResult.NO_ANSWER);
        ServerLiveness l = liveness(0);
        CompletableFuture<Boolean> dead = l.reportUnreachable("server3", "server1");
        instant.runDuty();
        assertFalse(dead.get());
        assertEquals(List.of(), markedDead());
    }

    @Test
    void aRefusedServerHasItsRestartGraceThenTheLastProbeDecides() throws Exception {
        ServerLiveness l = liveness(3000);
        CompletableFuture<Boolean> dead = l.reportUnreachable("server3", "server1");
        instant.runDuty();
        assertFalse(dead.get(), "within its restart grace");
        clock.advanceMs(3001);
        heartbeatAllBut(l, "server3");
        l.probeRefusedServersPastTheirGrace();
        instant.runDuty();
        assertEquals(List.of("server3"), markedDead());
    }

    @Test
    void aFollowerJudgesNobody() throws Exception {
        ServerLiveness l = liveness(0);
        leading.set(false);
        CompletableFuture<Boolean> dead = l.reportUnreachable("server3", "server1");
        instant.runDuty();
        assertFalse(dead.get());
        assertEquals(List.of(), markedDead());
    }
}
