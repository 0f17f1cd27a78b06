package org.gtstore.dataserver.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.gtstore.dataserver.storage.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the data server of one process and restarts it in place after its data directory filled
 * up. A full disk stops the replica driver before anything of the failed write was sent or
 * answered, so the server closes (its lease ends with its heartbeats, its port refuses, and the
 * metadata takes it out of its chains), waits until the directory has room again, and starts
 * afresh on the same directory: it recovers from its write-ahead log and registers again, like
 * a restarted process. Any other failure of the driver halts the process.
 */
final class ServerSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(ServerSupervisor.class);
    /** Room a restart needs: a few RocksDB write buffers and log files. */
    static final long MIN_FREE_BYTES = 16L << 20;
    private static final long SPACE_POLL_MS = 1_000;
    private static final long SPACE_LOG_EVERY_MS = 30_000;

    /** Starts one server; the consumer gets its driver's fatal failure. */
    interface Starter {
        DataServer start(Consumer<Throwable> fatal) throws IOException;
    }

    private final String serverId;
    private final Path dataDir;
    private final Starter starter;
    private final IntConsumer halt;
    private volatile boolean stopping;
    private volatile DataServer current;
    private volatile CompletableFuture<Throwable> failure = new CompletableFuture<>();

    ServerSupervisor(String serverId, Path dataDir, Starter starter, IntConsumer halt) {
        this.serverId = serverId;
        this.dataDir = dataDir;
        this.starter = starter;
        this.halt = halt;
    }

    /**
     * Serves until {@link #stop}; returns then. Throws what a start throws unless it is a full
     * disk, which it waits out like a full disk while serving.
     */
    void run(int exitOnFailure) throws IOException, InterruptedException {
        while (!stopping) {
            CompletableFuture<Throwable> f = new CompletableFuture<>();
            failure = f;
            try {
                current = starter.start(f::complete);
            } catch (StoreException e) {
                if (!StoreException.isOutOfSpace(e)) {
                    throw e;
                }
                LOG.error("[{}] cannot start: the data directory {} is full ({}); waiting for"
                        + " space", serverId, dataDir, e.getMessage());
                awaitSpace();
                continue;
            }
            Throwable t;
            try {
                t = f.get();
            } catch (ExecutionException e) {
                t = e.getCause();
            }
            if (t == null || stopping) {
                return;
            }
            if (!StoreException.isOutOfSpace(t)) {
                halt.accept(exitOnFailure);
                return;
            }
            LOG.error("[{}] the data directory {} is full: out of service (nothing of the"
                    + " failed write was sent or answered); restarting in place once {} MiB are"
                    + " free", serverId, dataDir, MIN_FREE_BYTES >> 20);
            current.close();
            awaitSpace();
            LOG.info("[{}] the data directory {} has room again: restarting", serverId,
                    dataDir);
        }
    }

    /** Stops the running server (a shutdown hook calls this) and ends {@link #run}. */
    void stop() {
        stopping = true;
        DataServer s = current;
        if (s != null) {
            s.leaveAndClose();
        }
        failure.complete(null);
    }

    private void awaitSpace() throws InterruptedException {
        long lastLogNs = System.nanoTime();
        while (!stopping && usableBytes() < MIN_FREE_BYTES) {
            if (System.nanoTime() - lastLogNs > TimeUnit.MILLISECONDS.toNanos(SPACE_LOG_EVERY_MS)) {
                LOG.warn("[{}] still waiting for space in {}: {} MiB free, {} MiB needed",
                        serverId, dataDir, usableBytes() >> 20, MIN_FREE_BYTES >> 20);
                lastLogNs = System.nanoTime();
            }
            Thread.sleep(SPACE_POLL_MS);
        }
    }

    private long usableBytes() {
        try {
            return Files.getFileStore(Files.exists(dataDir) ? dataDir : dataDir.getParent())
                    .getUsableSpace();
        } catch (IOException e) {
            return 0;
        }
    }
}
