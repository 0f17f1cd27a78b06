package org.gtstore.bench.driver;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.gtstore.bench.progress.Progress;
import org.gtstore.bench.progress.ProgressListener;

/**
 * Runs a phase of {@code total} asynchronous operations with at most {@code inFlight} outstanding,
 * the way redis-benchmark's clients do: closed loop, no thread per operation.
 *
 * <p>The window is {@code inFlight} lanes. Each lane has at most one operation outstanding; when
 * it completes, the completing thread (usually a gRPC event loop) claims the next operation
 * number from a shared counter and starts it at once. This avoids the thread hop that a
 * semaphore and an issuing thread would add to every operation, which on the 2-core development
 * machine costs as much as the work itself (see DESIGN.md, "Performance facts"). A stage that is
 * already complete when returned does not recurse: each lane runs a drain loop guarded by a
 * work-in-progress counter, so a lane issues one operation per completion on whichever thread
 * gets there, without recursion and without losing a completion.
 *
 * <pre>
 *   lane 0:  start(0) ........ done -> start(64) ...... done -> start(129) ...
 *   lane 1:  start(1) ... done -> start(65) ........ done -> start(130) ...
 *   (operation numbers are claimed in order from one counter, not fixed per lane)
 *   benchmark thread: waits, reports progress every interval, checks for a stall
 * </pre>
 *
 * <p>The benchmark thread only starts the first window, then waits for the last completion,
 * waking each progress interval to call the listener and to fail the phase with
 * {@link BenchmarkStalledException} if nothing completed for the stall timeout.
 */
public final class ClosedLoopDriver {
    private static final int ERROR_SAMPLES_MAX = 5;
    private static final long RATE_WINDOW_NS = TimeUnit.SECONDS.toNanos(1);

    private final String phase;
    private final int total;
    private final DriverSettings settings;
    private final Operations operations;
    private final AtomicInteger nextIndex = new AtomicInteger();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong lastCompletionNs = new AtomicLong();
    private final AtomicReference<Throwable> fatal = new AtomicReference<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private final List<String> errorSamples = new ArrayList<>();

    private ClosedLoopDriver(String phase, int total, DriverSettings settings, Operations ops) {
        this.phase = phase;
        this.total = total;
        this.settings = settings;
        this.operations = ops;
    }

    /**
     * Runs operations 0..total-1 and returns when every one has completed.
     *
     * @throws BenchmarkStalledException if nothing completed for the stall timeout
     * @throws IllegalStateException if {@link Operations#completed} threw
     */
    public static PhaseResult run(String phase, int total, DriverSettings settings,
            Operations operations, ProgressListener listener) throws InterruptedException {
        if (phase == null || settings == null || operations == null || listener == null) {
            throw new NullPointerException("phase, settings, operations and listener are required");
        }
        if (total < 0) {
            throw new IllegalArgumentException("total < 0: " + total);
        }
        return new ClosedLoopDriver(phase, total, settings, operations).run(listener);
    }

    private PhaseResult run(ProgressListener listener) throws InterruptedException {
        long startNs = System.nanoTime();
        lastCompletionNs.set(startNs);
        if (total == 0) {
            done.countDown();
        }
        int lanes = Math.min(settings.inFlight(), total);
        for (int i = 0; i < lanes; i++) {
            new Lane().signal();
        }
        awaitCompletion(startNs, listener);
        long wallNs = lastCompletionNs.get() - startNs;
        listener.onProgress(new Progress(phase, completed.get(), total, errors.get(), wallNs,
                wallNs <= 0 ? 0.0 : completed.get() * 1e9 / wallNs, true));
        synchronized (errorSamples) {
            return new PhaseResult(total, errors.get(), wallNs, errorSamples);
        }
    }

    private void awaitCompletion(long startNs, ProgressListener listener)
            throws InterruptedException {
        long intervalNs = TimeUnit.MILLISECONDS.toNanos(settings.progressIntervalMs());
        long stallNs = TimeUnit.MILLISECONDS.toNanos(settings.stallTimeoutMs());
        ArrayDeque<long[]> samples = new ArrayDeque<>(); // {timeNs, completed}, the last second
        samples.add(new long[] {startNs, 0});
        long lastSeen = 0;
        long lastChangeNs = startNs;
        while (!done.await(intervalNs, TimeUnit.NANOSECONDS)) {
            long now = System.nanoTime();
            long count = completed.get();
            if (count != lastSeen) {
                lastSeen = count;
                lastChangeNs = now;
            } else if (now - lastChangeNs >= stallNs) {
                throw new BenchmarkStalledException(String.format(
                        "%s: no operation completed for %d ms (%d of %d done, %d in flight)",
                        phase, settings.stallTimeoutMs(), count, total,
                        Math.min(total, nextIndex.get()) - count));
            }
            while (samples.size() > 1 && now - samples.peekFirst()[0] > RATE_WINDOW_NS) {
                samples.pollFirst();
            }
            long[] oldest = samples.peekFirst();
            double rate = now == oldest[0] ? 0.0 : (count - oldest[1]) * 1e9 / (now - oldest[0]);
            samples.addLast(new long[] {now, count});
            listener.onProgress(
                    new Progress(phase, count, total, errors.get(), now - startNs, rate, false));
        }
        Throwable failure = fatal.get();
        if (failure != null) {
            throw new IllegalStateException(phase + ": recording a completion failed", failure);
        }
    }

    private void finish(int index, long startNs, Object result, Throwable error) {
        long now = System.nanoTime();
        Throwable cause = unwrap(error);
        try {
            if (cause != null) {
                errors.incrementAndGet();
                sampleError(cause);
            }
            operations.completed(index, now - startNs, cause == null ? result : null, cause);
        } catch (Throwable t) {
            fatal.compareAndSet(null, t);
            done.countDown();
            return;
        }
        if (completed.incrementAndGet() == total) {
            lastCompletionNs.set(now);
            done.countDown();
        }
    }

    private void sampleError(Throwable cause) {
        String message = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        synchronized (errorSamples) {
            if (errorSamples.size() < ERROR_SAMPLES_MAX && !errorSamples.contains(message)) {
                errorSamples.add(message);
            }
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** One slot of the window: at most one operation outstanding. */
    private final class Lane {
        private final AtomicInteger pending = new AtomicInteger();

        /** Asks the lane to issue one more operation; called once per completion. */
        void signal() {
            if (pending.getAndIncrement() != 0) {
                return; // The thread already in the loop below will issue it.
            }
            do {
                issueOne();
            } while (pending.decrementAndGet() != 0);
        }

        private void issueOne() {
            if (fatal.get() != null) {
                return;
            }
            int index = nextIndex.getAndIncrement();
            if (index >= total) {
                return;
            }
            long startNs = System.nanoTime();
            CompletionStage<?> stage;
            try {
                stage = operations.start(index);
                if (stage == null) {
                    throw new NullPointerException("start(" + index + ") returned null");
                }
            } catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e);
            }
            stage.whenComplete((result, error) -> {
                finish(index, startNs, result, error);
                signal();
            });
        }
    }
}
