package org.gtstore.gtctl.kv;

import java.io.PrintWriter;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.GtctlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl mget K...} and {@code gtctl mput K V [K V ...]}: one batch through the client
 * (every key its own operation, sent together), one result line per key in the order given,
 * exactly as get and put print it; a key that failed prints {@code ERROR: <why>} in its place.
 * Exit code 0 when every key succeeded (and, for mget, was found), else 1.
 */
public final class BatchCommands {
    private BatchCommands() {
    }

    @Command(name = "mget", description = "Read every KEY; one line per key, in order, as"
            + " get prints it (exit code 1 if any is missing or failed).")
    public static final class Mget implements Callable<Integer> {
        @Mixin
        private CommonOptions common;

        @Spec
        private CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "KEY", description = "The keys.")
        private List<String> keys;

        private final Connector connector;

        Mget(Connector connector) {
            this.connector = connector;
        }

        @Override
        public Integer call() {
            ResultFormatter format = common.formatter();
            PrintWriter out = spec.commandLine().getOut();
            boolean all = true;
            try (KeyValueStore store = common.secured(connector)
                    .openStore(common.metadataAddresses(), common.timeout())) {
                for (KeyOutcome<ReadOutcome> o : Futures.await(store.getAll(keys),
                        common.timeout())) {
                    out.println(o.succeeded() ? format.get(o.key(), o.result())
                            : format.error("get", o.key(), o.error()));
                    all &= o.succeeded() && o.result().found();
                }
            }
            out.flush();
            return all ? Gtctl.EXIT_OK : Gtctl.EXIT_FAILURE;
        }
    }

    @Command(name = "mput", description = "Write every KEY VALUE pair; one line per key, in"
            + " order, as put prints it (exit code 1 if any failed).")
    public static final class Mput implements Callable<Integer> {
        @Mixin
        private CommonOptions common;

        @Spec
        private CommandSpec spec;

        @Parameters(arity = "2..*", paramLabel = "KEY VALUE", description = "Pairs of a key"
                + " and its value.")
        private List<String> pairs;

        private final Connector connector;

        Mput(Connector connector) {
            this.connector = connector;
        }

        @Override
        public Integer call() {
            List<Map.Entry<String, String>> entries = entries(pairs);
            ResultFormatter format = common.formatter();
            PrintWriter out = spec.commandLine().getOut();
            boolean all = true;
            try (KeyValueStore store = common.secured(connector)
                    .openStore(common.metadataAddresses(), common.timeout())) {
                for (KeyOutcome<WriteOutcome> o : Futures.await(store.putAll(entries),
                        common.timeout())) {
                    out.println(o.succeeded() ? format.put(o.key(), o.result())
                            : format.error("put", o.key(), o.error()));
                    all &= o.succeeded();
                }
            }
            out.flush();
            return all ? Gtctl.EXIT_OK : Gtctl.EXIT_FAILURE;
        }
    }

    /** KEY VALUE pairs, each key once (a key twice in one batch has no order to keep). */
    static List<Map.Entry<String, String>> entries(List<String> pairs) {
        if (pairs.size() % 2 != 0) {
            throw new GtctlException("mput takes KEY VALUE pairs: '" + pairs.get(pairs.size() - 1)
                    + "' has no value", Gtctl.EXIT_USAGE);
        }
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < pairs.size(); i += 2) {
            if (!seen.add(pairs.get(i))) {
                throw new GtctlException("mput names key '" + pairs.get(i) + "' twice: give"
                        + " each key once", Gtctl.EXIT_USAGE);
            }
            entries.add(new AbstractMap.SimpleImmutableEntry<>(pairs.get(i), pairs.get(i + 1)));
        }
        return entries;
    }
}
