package org.gtstore.gtctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
 */
@Command(name = "watch", description = "Print map changes as they happen (epoch, why, what"
        + " moved) until interrupted.")
final class ClusterWatchCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    @Option(names = "--exit-after", paramLabel = "N", defaultValue = "0",
            description = "Stop after N map changes (default: run until interrupted).")
    private int exitAfter;

    private final Connector connector;

    ClusterWatchCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() throws InterruptedException, JsonProcessingException {
        if (exitAfter < 0) {
            throw new GtctlException("--exit-after must be 0 or more, got " + exitAfter,
                    Gtctl.EXIT_USAGE);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (MetadataView view = connector.openMetadata(common.metadataAddresses())) {
            PartitionMap first = view.map();
            if (common.json()) {
                out.println(JSON.writeValueAsString(MapChange.between(null, first)));
            } else {
                out.println(MapChange.summary(first));
                out.println("Watching for map changes (Ctrl-C to stop) ...");
            }
            out.flush();
            Printer printer = new Printer(first, out, exitAfter);
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
        }
        return Gtctl.EXIT_OK;
    }

    /** Prints each new map against the one before it; maps arrive on one thread, in order. */
    private final class Printer {
        private final PrintWriter out;
        private final CountDownLatch done = new CountDownLatch(1);
        private final int limit;
        private PartitionMap last;
        private int printed;

        Printer(PartitionMap first, PrintWriter out, int limit) {
            this.last = first;
            this.out = out;
            this.limit = limit;
        }

        synchronized void onMap(PartitionMap map) {
            if (map.getEpoch() <= last.getEpoch() || done.getCount() == 0) {
                return;
            }
            MapChange change = MapChange.between(last, map);
            last = map;
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
            printed++;
            if (limit > 0 && printed >= limit) {
                done.countDown();
            }
        }
    }
}
