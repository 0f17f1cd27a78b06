package org.gtstore.bench.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.IntFunction;
import org.gtstore.bench.progress.Progress;
import org.gtstore.bench.progress.ProgressListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClosedLoopDriverTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(3);

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    /** Operations whose start is {@code starter} and whose completions are counted per index. */
    private static final class Counting implements Operations {
        final AtomicIntegerArray started;
        final AtomicIntegerArray completed;
        final IntFunction<CompletionStage<?>> starter;

        Counting(int total, IntFunction<CompletionStage<?>> starter) {
            this.started = new AtomicIntegerArray(total);
            this.completed = new AtomicIntegerArray(total);
            this.starter = starter;
        }

        @Override
        public CompletionStage<?> start(int index) {
            started.incrementAndGet(index);
            return starter.apply(index);
        }

        @Override
        public void completed(int index, long latencyNs, Object result, Throwable error) {
            assertTrue(latencyNs >= 0);
            completed.incrementAndGet(index);
        }

        void assertEachExactlyOnce() {
            for (int i = 0; i < started.length(); i++) {
                assertEquals(1, started.get(i), "starts of " + i);
                assertEquals(1, completed.get(i), "completions of " + i);
            }
        }
    }

    private static DriverSettings settings(int inFlight) {
        return new DriverSettings(inFlight, 5, 10_000);
    }

    @Test
    void runsEveryOperationOnceAndNeverMoreThanTheWindowAtATime() throws Exception {
        AtomicInteger outstanding = new AtomicInteger();
        AtomicInteger maxOutstanding = new AtomicInteger();
        Counting ops = new Counting(20_000, i -> {
            maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
            return CompletableFuture.supplyAsync(() -> {
                outstanding.decrementAndGet();
                return i;
            }, pool);
        });
        PhaseResult r = ClosedLoopDriver.run("p", 20_000, settings(8), ops, ProgressListener.NONE);
        ops.assertEachExactlyOnce();
        assertEquals(0, r.errors());
        assertEquals(20_000, r.total());
        assertTrue(maxOutstanding.get() <= 8, "max outstanding " + maxOutstanding.get());
        assertTrue(r.wallTimeNs() > 0);
    }

    @Test
    void alreadyCompletedStagesDoNotRecurse() throws Exception {
        // 200,000 operations on one lane would overflow the stack if each completion issued
        // the next operation by recursion.
        Counting ops = new Counting(200_000, CompletableFuture::completedFuture);
        PhaseResult r = ClosedLoopDriver.run("p", 200_000, settings(1), ops, ProgressListener.NONE);
        ops.assertEachExactlyOnce();
        assertEquals(0, r.errors());
    }

    @Test
    void countsFailuresAndKeepsTheFirstDistinctMessages() throws Exception {
        List<Throwable> errorsSeen = new CopyOnWriteArrayList<>();
        Operations ops = new Operations() {
            @Override
            public CompletionStage<?> start(int index) {
                if (index % 10 == 0) {
                    // A failure inside async composition arrives wrapped in CompletionException.
                    return CompletableFuture.supplyAsync(() -> {
                        throw new IllegalStateException("boom " + (index % 70));
                    }, pool);
                }
                if (index == 5) {
                    throw new IllegalArgumentException("rejected at start");
                }
                return CompletableFuture.completedFuture(index);
            }

            @Override
            public void completed(int index, long latencyNs, Object result, Throwable error) {
                if (error != null) {
                    errorsSeen.add(error);
                }
            }
        };
        PhaseResult r = ClosedLoopDriver.run("p", 1_000, settings(4), ops, ProgressListener.NONE);
        assertEquals(101, r.errors());
        assertEquals(101, errorsSeen.size());
        assertTrue(errorsSeen.stream().allMatch(
                e -> e instanceof IllegalStateException || e instanceof IllegalArgumentException),
                "errors are unwrapped: " + errorsSeen.get(0));
        assertEquals(5, r.errorSamples().size());
        assertEquals(5, r.errorSamples().stream().distinct().count());
        assertEquals(899.0 / 1_000, (r.total() - r.errors()) / 1_000.0);
    }

    @Test
    void reportsProgressWhileRunningAndOnceMoreWhenFinished() throws Exception {
        // Goal: the listener sees a snapshot of a half-done phase and a final one. The test
        // completes operations by hand, so the driver is certainly mid-phase when it reports.
        ConcurrentLinkedQueue<CompletableFuture<Object>> pending = new ConcurrentLinkedQueue<>();
        List<Progress> seen = new CopyOnWriteArrayList<>();
        CountDownLatch midPhaseSeen = new CountDownLatch(1);
        ProgressListener listener = p -> {
            seen.add(p);
            if (!p.finished() && p.completed() == 2) {
                midPhaseSeen.countDown();
            }
        };
        Counting ops = new Counting(4, i -> {
            CompletableFuture<Object> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        });
        Future<PhaseResult> run = pool.submit(
                () -> ClosedLoopDriver.run("half", 4, settings(2), ops, listener));
        completeNext(pending);
        completeNext(pending);
        assertTrue(midPhaseSeen.await(20, TimeUnit.SECONDS), "no mid-phase snapshot: " + seen);
        completeNext(pending);
        completeNext(pending);
        assertEquals(0, run.get(20, TimeUnit.SECONDS).errors());
        Progress last = seen.get(seen.size() - 1);
        assertTrue(last.finished());
        assertEquals(4, last.completed());
        assertEquals("half", last.phase());
        assertEquals(1, seen.stream().filter(Progress::finished).count());
        ops.assertEachExactlyOnce();
    }

    private static void completeNext(ConcurrentLinkedQueue<CompletableFuture<Object>> pending)
            throws InterruptedException {
        // The driver issues the next operation as soon as one completes; wait until it has.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        CompletableFuture<Object> f;
        while ((f = pending.poll()) == null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no operation was issued");
            }
            Thread.onSpinWait();
        }
        f.complete("ok");
    }

    @Test
    void failsWithAStallWhenNothingCompletes() {
        Counting ops = new Counting(10, i -> new CompletableFuture<>());
        BenchmarkStalledException e = assertThrows(BenchmarkStalledException.class,
                () -> ClosedLoopDriver.run("stuck", 10, new DriverSettings(4, 5, 50), ops,
                        ProgressListener.NONE));
        assertTrue(e.getMessage().contains("0 of 10 done, 4 in flight"), e.getMessage());
    }

    @Test
    void aFailingCompletionHandlerFailsThePhase() {
        RuntimeException bug = new RuntimeException("bug in completed()");
        Operations ops = new Operations() {
            @Override
            public CompletionStage<?> start(int index) {
                return CompletableFuture.supplyAsync(() -> index, pool);
            }

            @Override
            public void completed(int index, long latencyNs, Object result, Throwable error) {
                if (index == 3) {
                    throw bug;
                }
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ClosedLoopDriver.run("p", 100, settings(2), ops, ProgressListener.NONE));
        assertSame(bug, e.getCause());
    }

    @Test
    void anEmptyPhaseFinishesAtOnce() throws Exception {
        List<Progress> seen = new CopyOnWriteArrayList<>();
        PhaseResult r = ClosedLoopDriver.run("empty", 0, settings(4),
                new Counting(0, CompletableFuture::completedFuture), seen::add);
        assertEquals(0, r.total());
        assertEquals(0.0, r.successfulOpsPerSec());
        assertEquals(1, seen.size());
        assertTrue(seen.get(0).finished());
    }
}
