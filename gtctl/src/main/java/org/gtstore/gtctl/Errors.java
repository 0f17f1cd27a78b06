package org.gtstore.gtctl;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns exceptions into the one line a user sees. */
public final class Errors {
    private Errors() {
    }

    /** The exception a future or a reflective call wrapped. */
    public static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof CompletionException || cur instanceof ExecutionException
                || cur instanceof picocli.CommandLine.ExecutionException)
                && cur.getCause() != null) {
            cur = cur.getCause();
        }
        return cur;
    }

    /**
     * The user-facing description: the message of our own exceptions (they are written for
     * people), and for anything else, which is a bug, its type and a hint to use --debug.
     */
    public static String describe(Throwable t) {
        Throwable cause = unwrap(t);
        String message = cause.getMessage();
        if (isOurs(cause) && message != null && !message.isBlank()) {
            return oneLine(message);
        }
        if (cause instanceof java.io.IOException && message != null) {
            return oneLine(message);
        }
        return "internal error: " + oneLine(cause.toString())
                + " (run with --debug for the stack trace)";
    }

    private static boolean isOurs(Throwable t) {
        return t.getClass().getName().startsWith("org.gtstore.")
                || t instanceof IllegalArgumentException;
    }

    /** The text up to the first line break, with trailing whitespace removed. */
    public static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.replace('\r', ' ').strip();
    }
}
