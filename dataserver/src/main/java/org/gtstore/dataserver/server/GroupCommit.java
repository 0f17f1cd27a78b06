package org.gtstore.dataserver.server;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.gtstore.dataserver.storage.LocalStore;

/**
 * The group commit of the fsync durability mode: syncs the store's log on a thread of its own,
 * so the I/O loop never waits for the disk, and hands what comes after the sync back to the
 * loop. The driver starts one sync at a time and applies nothing while it runs; everything
 * that arrives meanwhile goes into the next pass, so one fsync covers a whole pass however
 * many writes it holds.
 */
final class GroupCommit implements AutoCloseable {
    private final LocalStore store;
    private final Executor loop;
    private final ExecutorService syncer;
    private final LongAdder syncs = new LongAdder();

    /** @param loop where the continuation of every sync runs (the driver's I/O loop) */
    GroupCommit(String serverId, LocalStore store, Executor loop) {
        this.store = store;
        this.loop = loop;
        this.syncer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gtstore-sync-" + serverId);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Syncs everything applied so far, then runs {@code then} on the loop; if the sync fails,
     * runs {@code failed} on the loop instead (a store that cannot sync must stop the server).
     * Called on the loop.
     */
    void sync(Runnable then, Consumer<Throwable> failed) {
        try {
            syncer.execute(() -> {
                Runnable next;
                try {
                    store.sync();
                    syncs.increment();
                    next = then;
                } catch (RuntimeException e) {
                    next = () -> failed.accept(e);
                }
                try {
                    loop.execute(next);
                } catch (RejectedExecutionException e) {
                    // The loop stopped while the sync ran: the server is closing.
                }
            });
        } catch (RejectedExecutionException e) {
            // Closed: the server is stopping and nothing more is acknowledged.
        }
    }

    /** The syncs done so far (any thread). */
    long syncs() {
        return syncs.sum();
    }

    /** Stops the sync thread, waiting briefly for a sync in progress. */
    @Override
    public void close() {
        syncer.shutdown();
        try {
            if (!syncer.awaitTermination(5, TimeUnit.SECONDS)) {
                syncer.shutdownNow();
            }
        } catch (InterruptedException e) {
            syncer.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
