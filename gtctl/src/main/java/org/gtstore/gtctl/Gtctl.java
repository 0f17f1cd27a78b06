package org.gtstore.gtctl;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.LogManager;
import org.gtstore.gtctl.admin.ClusterCommand;
import org.gtstore.gtctl.bench.BenchCommand;
import org.gtstore.gtctl.kv.BatchCommands;
import org.gtstore.gtctl.kv.DeleteCommand;
import org.gtstore.gtctl.kv.GetCommand;
import org.gtstore.gtctl.kv.OneShotCommand;
import org.gtstore.gtctl.kv.PutCommand;
import org.gtstore.gtctl.kv.ScanCommand;
import org.gtstore.gtctl.kv.ShellCommand;
import org.gtstore.proto.ProcessDefaults;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;

/**
 * The GTStore command-line tool. One class per subcommand, in one package per command family
 * ({@code kv}: the key-value commands and the shell; {@code admin}: {@code gtctl cluster ...};
 * {@code bench}: the benchmarks), each beside its formatting. This class wires them, prints
 * failures as one line on stderr (with the stack trace only under {@code --debug}) and maps
 * them to exit codes: {@value #EXIT_OK} OK, {@value #EXIT_FAILURE} failure (including a get of a
 * missing key), {@value #EXIT_USAGE} usage error, {@value #EXIT_CONFLICT} a failed condition.
 */
@Command(name = "gtctl", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
        version = "gtctl 0.1.0",
        description = "GTStore: a replicated, partitioned key-value store.",
        subcommands = {
            PutCommand.class, GetCommand.class, DeleteCommand.class, BatchCommands.Mget.class,
            BatchCommands.Mput.class, ScanCommand.class, ShellCommand.class,
            ClusterCommand.class, BenchCommand.class, HelpCommand.class})
public final class Gtctl {
    public static final int EXIT_OK = CommandLine.ExitCode.OK;
    public static final int EXIT_FAILURE = CommandLine.ExitCode.SOFTWARE;
    public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;
    /** A conditional put or delete whose condition failed (SPEC.md): nothing was written. */
    public static final int EXIT_CONFLICT = 3;

    private static final String DEBUG_FLAG = "--debug";

    public static void main(String[] args) {
        boolean debug = hasDebugFlag(args);
        configureLogging(debug);
        ProcessDefaults.apply();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out,
                StandardCharsets.UTF_8), false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err,
                StandardCharsets.UTF_8), true);
        int code;
        try {
            code = run(args, Connector.real(), System.in, out, err);
        } catch (Throwable t) { // NOPMD: an Error (e.g. a broken build) is still one line.
            err.println("error: internal error: " + Errors.oneLine(String.valueOf(t))
                    + (debug ? "" : " (run with --debug for details)"));
            if (debug) {
                t.printStackTrace(err);
            }
            code = EXIT_FAILURE;
        }
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command line; the entry point for tests. */
    public static int run(String[] args, Connector connector, InputStream in, PrintWriter out,
            PrintWriter err) {
        Optional<OneShotCommand> oneShot = OneShotCommand.parse(args);
        if (oneShot.isPresent()) {
            return oneShot.get().run(connector, out, err);
        }
        return runParsed(args, connector, in, out, err);
    }

    /** Runs one command line through picocli (the whole command tree). */
    static int runParsed(String[] args, Connector connector, InputStream in, PrintWriter out,
            PrintWriter err) {
        CommandLine cmd = commandLine(connector, in);
        cmd.setOut(out);
        cmd.setErr(err);
        if (args.length == 0) {
            cmd.usage(err);
            return EXIT_USAGE;
        }
        boolean debug = hasDebugFlag(args);
        cmd.setExecutionExceptionHandler((ex, line, parsed) -> onFailure(ex, line, debug));
        cmd.setParameterExceptionHandler(Gtctl::onUsageError);
        return cmd.execute(args);
    }

    /**
     * The command tree, with commands built around the given connector and stdin. Private, as
     * is every other mention of a picocli type here: the launcher looks up {@code main} by
     * reflection, which loads the types of every public method's signature, and picocli's
     * classes (built for Java 5) cannot be kept in a class-data-sharing archive.
     */
    private static CommandLine commandLine(Connector connector, InputStream in) {
        CommandLine cmd = new CommandLine(new Gtctl(), new Factory(connector, in));
        cmd.setExpandAtFiles(false); // A key may start with '@'.
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        return cmd;
    }

    private static int onFailure(Exception ex, CommandLine line, boolean debug) {
        return reportFailure(ex, line.getErr(), debug);
    }

    /** Prints a failed command's one line (and its stack trace under --debug); its exit code. */
    public static int reportFailure(Exception ex, PrintWriter err, boolean debug) {
        err.println("error: " + Errors.describe(ex));
        if (debug) {
            Errors.unwrap(ex).printStackTrace(err);
        }
        err.flush();
        Throwable cause = Errors.unwrap(ex);
        if (cause instanceof GtctlException g) {
            return g.exitCode();
        }
        return EXIT_FAILURE;
    }

    private static int onUsageError(ParameterException ex, String[] args) {
        CommandLine line = ex.getCommandLine();
        CommandSpec spec = line.getCommandSpec();
        PrintWriter err = line.getErr();
        err.println("error: " + Errors.oneLine(ex.getMessage()) + " (see '"
                + spec.qualifiedName() + " --help')");
        if (hasDebugFlag(args)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return EXIT_USAGE;
    }

    static boolean hasDebugFlag(String[] args) {
        for (String a : args) {
            if (a.equals("--")) {
                return false;
            }
            if (a.equals(DEBUG_FLAG)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Keeps library logging off the terminal unless {@code --debug}: slf4j-simple is "off" by
     * default (simplelogger.properties) and java.util.logging (used by gRPC) is silenced. With
     * {@code --debug}, GTStore's classes log at DEBUG and libraries at INFO, on stderr.
     */
    private static void configureLogging(boolean debug) {
        if (debug) {
            // Our own classes in detail; gRPC and Netty at INFO, their DEBUG is internals.
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
            System.setProperty("org.slf4j.simpleLogger.log.org.gtstore", "debug");
            return;
        }
        LogManager.getLogManager().reset();
        java.util.logging.Logger.getLogger("").setLevel(Level.OFF);
    }

    /**
     * Builds commands: a command with a {@code (Connector, InputStream)} or {@code (Connector)}
     * constructor gets them; anything else is built by picocli's default factory.
     */
    private static final class Factory implements CommandLine.IFactory {
        private final Connector connector;
        private final InputStream in;

        Factory(Connector connector, InputStream in) {
            this.connector = connector;
            this.in = in;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            for (Constructor<?> c : cls.getDeclaredConstructors()) {
                Class<?>[] p = c.getParameterTypes();
                if (p.length == 2 && p[0] == Connector.class && p[1] == InputStream.class) {
                    c.setAccessible(true);
                    return cls.cast(c.newInstance(connector, in));
                }
                if (p.length == 1 && p[0] == Connector.class) {
                    c.setAccessible(true);
                    return cls.cast(c.newInstance(connector));
                }
            }
            return CommandLine.defaultFactory().create(cls);
        }
    }
}
