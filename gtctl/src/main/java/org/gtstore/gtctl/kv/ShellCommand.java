package org.gtstore.gtctl.kv;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.GtctlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl shell}: commands from stdin, one result line per command on stdout, one client
 * and one cached map for the whole session. Exit code 1 if any command printed an ERROR line.
 */
@Command(name = "shell", description = {
    "Read commands from stdin, one per line: put <key> <value>, get <key>, delete <key>,",
    "mget <key>..., mput <key> <value> .... Prints one line per command (a batch: one per",
    "key), in order: 'OK, <server>', '<key>, <value>, <server>',",
    "'<key>, NOT_FOUND' or 'ERROR: <reason>'. Quote keys or values with spaces: \"a b\"."})
public final class ShellCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    @Option(names = "--window", paramLabel = "N", defaultValue = "64",
            description = "Commands in flight at once (default: ${DEFAULT-VALUE}).")
    private int window;

    private final Connector connector;
    private final InputStream in;

    ShellCommand(Connector connector, InputStream in) {
        this.connector = connector;
        this.in = in;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (window <= 0) {
            throw new GtctlException("--window must be positive, got " + window, Gtctl.EXIT_USAGE);
        }
        try (KeyValueStore store = common.secured(connector).openStore(common.metadataAddresses(),
                common.timeout())) {
            BufferedReader reader = new BufferedReader(
                    new InputStreamReader(in, StandardCharsets.UTF_8));
            ShellSession session = new ShellSession(store,
                    new ResultFormatter(common.json(), common.verbose()),
                    spec.commandLine().getOut(), window);
            int errors = session.run(reader);
            return errors == 0 ? Gtctl.EXIT_OK : Gtctl.EXIT_FAILURE;
        }
    }
}
