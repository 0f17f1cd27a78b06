package org.gtstore.gtctl.kv;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.TypeConversionException;

/**
 * One line of {@code gtctl shell} input: {@code put <key> <value>}, {@code get <key>},
 * {@code delete <key>}, {@code mget <key>...}, {@code mput <key> <value> [<key> <value>
 * ...]} (the batches print one line per key, as the commands of the same names do), or the
 * compare-and-set commands {@code cas <key> <version> <value>} (put only if the key's version
 * is {@code <version>}, 0 for a key without a value) and {@code cad <key> <version>} (delete
 * only if it has that version), which print {@code CONFLICT, <current version>} otherwise,
 * {@code setex <key> <ttl> <value>}, a put whose value expires after {@code <ttl>}
 * ({@code 30s}, {@code 5m}, ... or a number of seconds, as Redis's SETEX takes), and
 * {@code scan [<prefix> [<limit>]]}, which prints {@code <key>, <value>} per key as
 * {@code gtctl scan} does and ends with {@code SCAN, <n> keys}.
 *
 * <p>Words are separated by spaces or tabs. A key or value may be written in double quotes to
 * hold spaces ({@code "a b"}, with {@code \"} and {@code \\} inside). An unquoted value is the
 * rest of the line after the key (spaces inside kept, trailing ones dropped), so
 * {@code put greeting hello world} stores
 * {@code hello world}; in an {@code mput} every value is one word (quote one with spaces).
 * Commands are case-insensitive. Blank lines and lines starting with {@code #} are not
 * commands.
 *
 * @param keys the command's keys: one, or a batch's (each once); a scan's prefix
 * @param values the values of {@code put}, {@code cas} and {@code mput}, one per key; empty
 *     otherwise
 * @param ifVersion the version {@code cas} and {@code cad} require (0: no value), the limit of
 *     {@code scan} (0: none); 0 otherwise
 * @param ttl the time to live of {@code setex}; null otherwise
 */
public record ShellRequest(Op op, List<String> keys, List<String> values, long ifVersion,
        Duration ttl) {

    /** The shell's operations. */
    public enum Op { PUT, GET, DELETE, MGET, MPUT, CAS, CAD, SETEX, SCAN }

    public ShellRequest {
        keys = List.copyOf(keys);
        values = List.copyOf(values);
    }

    public ShellRequest(Op op, List<String> keys, List<String> values, long ifVersion) {
        this(op, keys, values, ifVersion, null);
    }

    public ShellRequest(Op op, List<String> keys, List<String> values) {
        this(op, keys, values, 0);
    }

    /** A command on one key ({@code value} null for get and delete). */
    public ShellRequest(Op op, String key, String value) {
        this(op, List.of(key), value == null ? List.of() : List.of(value));
    }

    /** The (first) key. */
    public String key() {
        return keys.get(0);
    }

    /** The (first) value, or null. */
    public String value() {
        return values.isEmpty() ? null : values.get(0);
    }

    /** A line that is not a valid command; the message says why, for an ERROR line. */
    public static final class SyntaxException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        SyntaxException(String message) {
            super(message);
        }
    }

    /** Whether a line holds no command at all (blank or a comment). */
    public static boolean isBlankOrComment(String line) {
        String s = line.strip();
        return s.isEmpty() || s.startsWith("#");
    }

    /**
     * Parses one line that is not blank.
     *
     * @throws SyntaxException if it is not a command
     */
    public static ShellRequest parse(String line) {
        Cursor c = new Cursor(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        String word = c.word();
        if (word == null) {
            throw new SyntaxException("empty command");
        }
        Op op = switch (word.toLowerCase(Locale.ROOT)) {
            case "put", "set" -> Op.PUT;
            case "get" -> Op.GET;
            case "delete", "del" -> Op.DELETE;
            case "mget" -> Op.MGET;
            case "mput", "mset" -> Op.MPUT;
            case "cas" -> Op.CAS;
            case "cad" -> Op.CAD;
            case "setex" -> Op.SETEX;
            case "scan" -> Op.SCAN;
            default -> throw new SyntaxException("unknown command '" + word
                    + "': expected put <key> <value>, get <key>, delete <key>, mget <key>...,"
                    + " mput <key> <value> ..., cas <key> <version> <value>,"
                    + " cad <key> <version>, setex <key> <ttl> <value> or scan [<prefix>"
                    + " [<limit>]]");
        };
        if (op == Op.SETEX) {
            return setex(c);
        }
        if (op == Op.SCAN) {
            return scan(c);
        }
        if (op == Op.MGET || op == Op.MPUT) {
            return batch(op, c);
        }
        if (op == Op.CAS || op == Op.CAD) {
            return conditional(op, c);
        }
        String key = c.word();
        if (key == null) {
            throw new SyntaxException(usage(op) + ": missing key");
        }
        if (op == Op.PUT) {
            String value = c.rest();
            if (value == null) {
                throw new SyntaxException(usage(op) + ": missing value");
            }
            return new ShellRequest(op, key, value);
        }
        if (c.word() != null) {
            throw new SyntaxException(usage(op) + ": too many words (quote a key with spaces)");
        }
        return new ShellRequest(op, key, null);
    }

    /** The words of an mget (keys) or an mput (key value pairs), each key once. */
    private static ShellRequest batch(Op op, Cursor c) {
        List<String> words = new ArrayList<>();
        for (String w = c.word(); w != null; w = c.word()) {
            words.add(w);
        }
        if (words.isEmpty()) {
            throw new SyntaxException(usage(op) + ": missing key");
        }
        if (op == Op.MGET) {
            return new ShellRequest(op, new ArrayList<>(new LinkedHashSet<>(words)), List.of());
        }
        if (words.size() % 2 != 0) {
            throw new SyntaxException(usage(op) + ": '" + words.get(words.size() - 1)
                    + "' has no value");
        }
        List<String> keys = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < words.size(); i += 2) {
            if (keys.contains(words.get(i))) {
                throw new SyntaxException(usage(op) + ": key '" + words.get(i) + "' twice");
            }
            keys.add(words.get(i));
            values.add(words.get(i + 1));
        }
        return new ShellRequest(op, keys, values);
    }

    /** {@code cas <key> <version> <value>} or {@code cad <key> <version>}. */
    private static ShellRequest conditional(Op op, Cursor c) {
        String key = c.word();
        if (key == null) {
            throw new SyntaxException(usage(op) + ": missing key");
        }
        String word = c.word();
        if (word == null) {
            throw new SyntaxException(usage(op) + ": missing version");
        }
        long version;
        try {
            version = Long.parseLong(word);
        } catch (NumberFormatException e) {
            version = -1;
        }
        if (version < 0 || (op == Op.CAD && version == 0)) {
            throw new SyntaxException(usage(op) + ": '" + word + "' is not a version"
                    + (op == Op.CAD ? " (at least 1)" : " (0 for a key without a value)"));
        }
        if (op == Op.CAD) {
            if (c.word() != null) {
                throw new SyntaxException(usage(op) + ": too many words");
            }
            return new ShellRequest(op, List.of(key), List.of(), version);
        }
        String value = c.rest();
        if (value == null) {
            throw new SyntaxException(usage(op) + ": missing value");
        }
        return new ShellRequest(op, List.of(key), List.of(value), version);
    }

    /** {@code scan [<prefix> [<limit>]]}. */
    private static ShellRequest scan(Cursor c) {
        String prefix = c.word();
        String word = c.word();
        long limit = 0;
        if (word != null) {
            try {
                limit = Long.parseLong(word);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1) {
                throw new SyntaxException(usage(Op.SCAN) + ": '" + word
                        + "' is not a limit (at least 1)");
            }
        }
        if (c.word() != null) {
            throw new SyntaxException(usage(Op.SCAN) + ": too many words");
        }
        return new ShellRequest(Op.SCAN, List.of(prefix == null ? "" : prefix), List.of(),
                limit);
    }

    /** {@code setex <key> <ttl> <value>}. */
    private static ShellRequest setex(Cursor c) {
        String key = c.word();
        if (key == null) {
            throw new SyntaxException(usage(Op.SETEX) + ": missing key");
        }
        String word = c.word();
        if (word == null) {
            throw new SyntaxException(usage(Op.SETEX) + ": missing ttl");
        }
        Duration ttl;
        try {
            ttl = TtlConverter.parse(word);
        } catch (TypeConversionException e) {
            throw new SyntaxException(usage(Op.SETEX) + ": " + e.getMessage());
        }
        String value = c.rest();
        if (value == null) {
            throw new SyntaxException(usage(Op.SETEX) + ": missing value");
        }
        return new ShellRequest(Op.SETEX, List.of(key), List.of(value), 0, ttl);
    }

    private static String usage(Op op) {
        return switch (op) {
            case CAS -> "usage: cas <key> <version> <value>";
            case CAD -> "usage: cad <key> <version>";
            case SETEX -> "usage: setex <key> <ttl> <value>";
            case SCAN -> "usage: scan [<prefix> [<limit>]]";
            case PUT -> "usage: put <key> <value>";
            case GET -> "usage: get <key>";
            case DELETE -> "usage: delete <key>";
            case MGET -> "usage: mget <key>...";
            case MPUT -> "usage: mput <key> <value> [<key> <value> ...]";
        };
    }

    /** Walks a line word by word. */
    private static final class Cursor {
        private final String s;
        private int i;

        Cursor(String s) {
            this.s = s;
        }

        private void skipSpaces() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                i++;
            }
        }

        /** The next word (quoted or not), or null at the end of the line. */
        String word() {
            skipSpaces();
            if (i >= s.length()) {
                return null;
            }
            if (s.charAt(i) == '"') {
                return quoted();
            }
            int start = i;
            while (i < s.length() && s.charAt(i) != ' ' && s.charAt(i) != '\t') {
                i++;
            }
            return s.substring(start, i);
        }

        /** A quoted word if one starts here and ends the line, else the rest of the line. */
        String rest() {
            skipSpaces();
            if (i >= s.length()) {
                return null;
            }
            if (s.charAt(i) == '"') {
                String value = quoted();
                if (word() != null) {
                    throw new SyntaxException("text after the closing quote of the value");
                }
                return value;
            }
            String value = s.substring(i).stripTrailing();
            i = s.length();
            return value;
        }

        private String quoted() {
            StringBuilder b = new StringBuilder();
            i++; // The opening quote.
            while (i < s.length()) {
                char ch = s.charAt(i++);
                if (ch == '"') {
                    if (i < s.length() && s.charAt(i) != ' ' && s.charAt(i) != '\t') {
                        throw new SyntaxException("a closing quote must end the word");
                    }
                    return b.toString();
                }
                if (ch == '\\' && i < s.length()) {
                    ch = s.charAt(i++);
                }
                b.append(ch);
            }
            throw new SyntaxException("missing closing quote");
        }
    }
}
