package org.gtstore.gtctl.kv;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.MetadataAddresses;
import org.gtstore.proto.HostPorts;

/**
 * A put, get or delete command line read without picocli, so that a one-shot command does not
 * pay for building the whole command tree by reflection (a good part of a short JVM's run).
 *
 * <p>It reads only the plain form of those commands: {@code put KEY VALUE}, {@code get KEY}
 * and {@code delete KEY}, with {@code --dir D}, {@code --meta A[,B...]},
 * {@code --timeout-ms MS} (also as {@code --opt=value}), {@code --json}, {@code --verbose},
 * {@code --debug} and {@code --} anywhere, each option at most once. {@link #parse} returns
 * nothing for every other line (help, an unknown or repeated option, a missing or extra
 * argument, a malformed value), which then goes to picocli and gets its usual answer or usage
 * error. What it does run behaves exactly like {@link PutCommand}, {@link GetCommand} and
 * {@link DeleteCommand}: the same options, defaults, output and exit codes.
 */
public final class OneShotCommand {
    private static final Set<String> VALUED = Set.of("--dir", "--meta", "--timeout-ms");
    private static final Set<String> FLAGS = Set.of("--json", "--verbose", "--debug");
    private static final long DEFAULT_TIMEOUT_MS = 10_000;

    private final String op;
    private final List<String> positionals;
    private final Path dir;
    private final List<String> meta;
    private final long timeoutMs;
    private final Set<String> flags;

    private OneShotCommand(String op, List<String> positionals, Path dir, List<String> meta,
            long timeoutMs, Set<String> flags) {
        this.op = op;
        this.positionals = positionals;
        this.dir = dir;
        this.meta = meta;
        this.timeoutMs = timeoutMs;
        this.flags = flags;
    }

    /** The command, if the line is a plain put, get or delete; else empty (use picocli). */
    public static Optional<OneShotCommand> parse(String[] args) {
        if (args.length == 0) {
            return Optional.empty();
        }
        String op = args[0];
        int arity = switch (op) {
            case "put" -> 2;
            case "get", "delete" -> 1;
            default -> -1;
        };
        if (arity < 0) {
            return Optional.empty();
        }
        List<String> positionals = new ArrayList<>();
        Set<String> flags = new HashSet<>();
        String dir = CommonOptions.DEFAULT_DIR;
        String meta = null;
        String timeout = null;
        Set<String> seen = new HashSet<>();
        boolean endOfOptions = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (endOfOptions || !a.startsWith("-")) {
                positionals.add(a);
                continue;
            }
            if (a.equals("--")) {
                endOfOptions = true;
                continue;
            }
            int eq = a.indexOf('=');
            String name = eq < 0 ? a : a.substring(0, eq);
            if (!seen.add(name)) {
                return Optional.empty();
            }
            if (FLAGS.contains(name) && eq < 0) {
                flags.add(name);
                continue;
            }
            if (!VALUED.contains(name)) {
                return Optional.empty();
            }
            String value;
            if (eq >= 0) {
                value = a.substring(eq + 1);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("-")) {
                value = args[++i];
            } else {
                return Optional.empty();
            }
            switch (name) {
                case "--dir" -> dir = value;
                case "--meta" -> meta = value;
                default -> timeout = value;
            }
        }
        if (positionals.size() != arity) {
            return Optional.empty();
        }
        List<String> metaList = meta == null ? List.of() : metaAddresses(meta);
        long timeoutMs = timeout == null ? DEFAULT_TIMEOUT_MS : positiveLong(timeout);
        if (metaList == null || timeoutMs <= 0 || dir.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new OneShotCommand(op, List.copyOf(positionals), Path.of(dir),
                metaList, timeoutMs, Set.copyOf(flags)));
    }

    /** The addresses of a {@code --meta} value, or null if it is malformed. */
    private static List<String> metaAddresses(String value) {
        List<String> addresses = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String address = part.strip();
            if (!HostPorts.isHostPort(address)) {
                return null;
            }
            addresses.add(address);
        }
        return List.copyOf(addresses);
    }

    /** The value as a positive long in plain decimal digits, or -1 if it is not one. */
    private static long positiveLong(String value) {
        if (value.isEmpty() || value.length() > 18 || value.charAt(0) == '0') {
            return -1;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(value);
    }

    boolean debug() {
        return flags.contains("--debug");
    }

    /** Runs the command and returns its exit code, as picocli's execute would. */
    public int run(Connector connector, PrintWriter out, PrintWriter err) {
        try {
            return execute(connector, out);
        } catch (RuntimeException e) {
            return Gtctl.reportFailure(e, err, debug());
        }
    }

    private int execute(Connector connector, PrintWriter out) {
        List<String> addresses = MetadataAddresses.resolve(dir, meta);
        connector = connector.secured(MetadataAddresses.security(dir, meta));
        Duration timeout = Duration.ofMillis(timeoutMs);
        ResultFormatter format = new ResultFormatter(flags.contains("--json"),
                flags.contains("--verbose"));
        String key = positionals.get(0);
        switch (op) {
            case "put" -> {
                String value = positionals.get(1);
                SingleOperation.run(connector, addresses, timeout, format, out,
                        store -> store.put(key, value), (f, r) -> f.put(key, r));
                return Gtctl.EXIT_OK;
            }
            case "get" -> {
                ReadOutcome r = SingleOperation.run(connector, addresses, timeout, format, out,
                        store -> store.get(key), (f, result) -> f.get(key, result));
                return r.found() ? Gtctl.EXIT_OK : Gtctl.EXIT_FAILURE;
            }
            default -> {
                SingleOperation.run(connector, addresses, timeout, format, out,
                        store -> store.delete(key), (f, r) -> f.delete(key, r));
                return Gtctl.EXIT_OK;
            }
        }
    }
}
