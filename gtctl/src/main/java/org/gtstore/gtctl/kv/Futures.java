package org.gtstore.gtctl.kv;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.gtstore.gtctl.Errors;
import org.gtstore.gtctl.GtctlException;

/** Waiting for the client's futures from a command's thread. */
final class Futures {
    /** Beyond the client's own deadline, in case it does not enforce it. */
    private static final Duration MARGIN = Duration.ofSeconds(5);

    private Futures() {
    }

    /**
     * The future's value; its failure is rethrown unwrapped so the caller reports the client's
     * own message.
     */
    static <T> T await(CompletableFuture<T> future, Duration deadline) {
        try {
            return future.get(deadline.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = Errors.unwrap(e);
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new GtctlException(Errors.describe(cause));
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new GtctlException("no answer within " + deadline.plus(MARGIN).toSeconds()
                    + " s; is the cluster running? ('gtctl cluster status')");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GtctlException("interrupted");
        }
    }
}
