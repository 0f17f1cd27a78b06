package org.gtstore.gtctl.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.GtctlException;
import org.gtstore.gtctl.cluster.MetadataView;
import org.gtstore.proto.PartitionMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl cluster watch}: prints the current map in one line, then every new map as it is
 * made: its epoch, why, and a summary of what moved ({@link MapChange}), until interrupted.
 *
 * <p>Maps that arrive in a burst (restoring K makes one epoch per partition) are summarized
 * together: a burst ends when no map has come for {@code --batch-ms}, or at the latest one second
 * after it began, so the screen shows a few lines per event and still keeps up.
 */
@Command(name = "watch", description = "Print map changes as they happen (epoch, why, what"
        + " moved) until interrupted.")
final class ClusterWatchCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long BURST_MAX_MS = 1000;

    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    @Option(names = "--exit-after", paramLabel = "N", defaultValue = "0",
            description = "Stop after N new maps (default: run until interrupted).")
    private int exitAfter;

    @Option(names = "--batch-ms", paramLabel = "MS", defaultValue = "200",
            description = "Summarize maps arriving less than MS apart together"
                    + " (default: ${DEFAULT-VALUE}; 0 prints every map on its own).")
    private long batchMs;

    private final Connector connector;

    ClusterWatchCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() throws InterruptedException, JsonProcessingException {
        if (exitAfter < 0 || batchMs < 0) {
            throw new GtctlException("--exit-after and --batch-ms must be 0 or more",
                    Gtctl.EXIT_USAGE);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gtctl-watch-printer");
            t.setDaemon(true);
            return t;
        });
        try (MetadataView view = common.secured(connector)
                .openMetadata(common.metadataAddresses())) {
            PartitionMap first = view.map();
            if (common.json()) {
                out.println(JSON.writeValueAsString(MapChange.between(null, first)));
            } else {
                out.println(MapChange.summary(first));
                out.println("Watching for map changes (Ctrl-C to stop) ...");
            }
            out.flush();
            Printer printer = new Printer(first, out, timer);
            MetadataView.Watch watch = view.watch(first.getEpoch() + 1, printer::onMap,
                    message -> {
                        err.println("watch: " + message);
                        err.flush();
                    });
            try {
                printer.done.await();
            } finally {
                watch.close();
            }
        } finally {
            timer.shutdownNow();
        }
        return Gtctl.EXIT_OK;
    }

    /**
     * Collects maps into bursts and prints each burst against the map printed before it. Maps
     * arrive on one thread, in order; flushes run on the timer thread.
     */
    private final class Printer {
        private final PrintWriter out;
        private final ScheduledExecutorService timer;
        private final CountDownLatch done = new CountDownLatch(1);
        private final List<PartitionMap> burst = new ArrayList<>();
        private PartitionMap printed;
        private long newestEpoch;
        private long burstStartNs;
        private long lastArrivalNs;
        private int delivered;

        Printer(PartitionMap first, PrintWriter out, ScheduledExecutorService timer) {
            this.printed = first;
            this.newestEpoch = first.getEpoch();
            this.out = out;
            this.timer = timer;
        }

        synchronized void onMap(PartitionMap map) {
            if (map.getEpoch() <= newestEpoch || done.getCount() == 0) {
                return;
            }
            newestEpoch = map.getEpoch();
            long now = System.nanoTime();
            if (burst.isEmpty()) {
                burstStartNs = now;
                if (batchMs > 0) {
                    timer.schedule(this::flushWhenQuiet, batchMs, TimeUnit.MILLISECONDS);
                }
            }
            lastArrivalNs = now;
            burst.add(map);
            delivered++;
            if (batchMs == 0) {
                flush();
            }
            if (exitAfter > 0 && delivered >= exitAfter) {
                flush();
                done.countDown();
            }
        }

        private synchronized void flushWhenQuiet() {
            if (burst.isEmpty()) {
                return;
            }
            long now = System.nanoTime();
            long quietMs = TimeUnit.NANOSECONDS.toMillis(now - lastArrivalNs);
            long ageMs = TimeUnit.NANOSECONDS.toMillis(now - burstStartNs);
            if (quietMs < batchMs && ageMs < BURST_MAX_MS) {
                long waitMs = Math.min(batchMs - quietMs, BURST_MAX_MS - ageMs);
                timer.schedule(this::flushWhenQuiet, waitMs, TimeUnit.MILLISECONDS);
                return;
            }
            flush();
        }

        private void flush() {
            if (burst.isEmpty()) {
                return;
            }
            MapChange change = MapChange.over(printed, burst);
            printed = burst.get(burst.size() - 1);
            burst.clear();
            if (common.json()) {
                try {
                    out.println(JSON.writeValueAsString(change));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("cannot write JSON", e);
                }
            } else {
                change.lines().forEach(out::println);
            }
            out.flush();
        }
    }
}
