package org.gtstore.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.gtstore.proto.ReportUnreachableResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class UnreachableReporterTest {
    private final List<CompletableFuture<ReportUnreachableResponse>> sent = new ArrayList<>();
    private final UnreachableReporter reporter = new UnreachableReporter((id, epoch, d) -> {
        CompletableFuture<ReportUnreachableResponse> f = new CompletableFuture<>();
        sent.add(f);
        return f;
    });

    @Test
    void reportsEachServerOncePerEpoch() {
        CompletableFuture<Long> a = reporter.report("server1", 4, "connection refused");
        CompletableFuture<Long> b = reporter.report("server1", 4, "connection refused");
        reporter.report("server2", 4, "connection refused");
        assertSame(a, b);
        assertEquals(2, sent.size());
        sent.get(0).complete(ReportUnreachableResponse.newBuilder().setMarkedDead(true)
                .setMapEpoch(6).build());
        assertEquals(6, a.join());
        reporter.report("server1", 4, "again");
        assertEquals(2, sent.size(), "answered reports are remembered for their epoch");
        reporter.forgetBefore(5);
        reporter.report("server1", 4, "again");
        assertEquals(3, sent.size());
    }

    @Test
    void serverNotMarkedDeadGivesTheReportedEpochBack() {
        // The probe proved nothing and the map did not move: there is no newer map to fetch.
        CompletableFuture<Long> a = reporter.report("server1", 4, "no answer within 1000 ms");
        sent.get(0).complete(ReportUnreachableResponse.newBuilder().setMapEpoch(4).build());
        assertEquals(4, a.join());
    }

    @Test
    void serverAlreadyMarkedDeadByAnotherReporterGivesTheLeadersEpoch() {
        // The leader answers "not marked (by you)" with its epoch, which already has the death.
        CompletableFuture<Long> a = reporter.report("server1", 4, "connection refused");
        sent.get(0).complete(ReportUnreachableResponse.newBuilder().setMapEpoch(6).build());
        assertEquals(6, a.join());
    }

    @Test
    void failedReportIsForgottenSoTheNextFailureReportsAgain() {
        CompletableFuture<Long> a = reporter.report("server1", 4, "connection refused");
        sent.get(0).completeExceptionally(new IllegalStateException("metadata down"));
        assertEquals(true, a.isCompletedExceptionally());
        reporter.report("server1", 4, "connection refused");
        assertEquals(2, sent.size());
    }
}
