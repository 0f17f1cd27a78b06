package org.gtstore.gtctl;

import java.util.Locale;

/**
 * One line of {@code gtctl shell} input: {@code put <key> <value>}, {@code get <key>} or
 * {@code delete <key>}.
 *
 * <p>Words are separated by spaces or tabs. A key or value may be written in double quotes to
 * hold spaces ({@code "a b"}, with {@code \"} and {@code \\} inside). An unquoted value is the
 * rest of the line after the key (spaces inside kept, trailing ones dropped), so
 * {@code put greeting hello world} stores
 * {@code hello world}. Commands are case-insensitive. Blank lines and lines starting with
 * {@code #} are not commands.
 */
public record ShellRequest(Op op, String key, String value) {

    /** The shell's operations. */
    public enum Op { PUT, GET, DELETE }

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
            default -> throw new SyntaxException("unknown command '" + word
                    + "': expected put <key> <value>, get <key> or delete <key>");
        };
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

    private static String usage(Op op) {
        return switch (op) {
            case PUT -> "usage: put <key> <value>";
            case GET -> "usage: get <key>";
            case DELETE -> "usage: delete <key>";
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
