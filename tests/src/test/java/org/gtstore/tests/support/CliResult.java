package org.gtstore.tests.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/** What one gtctl or script invocation printed and how it exited. */
public record CliResult(int exitCode, List<String> out, String err) {
    /** The single line printed on stdout; fails when there is not exactly one. */
    public String line() {
        if (out.size() != 1) {
            throw new AssertionError("expected one line on stdout, got " + out + "; stderr: " + err);
        }
        return out.get(0);
    }

    /**
     * Fails unless the invocation failed with exactly one line on stderr that mentions
     * {@code mentions}, and no stack trace: how every refused operator request must look.
     */
    public void assertOneErrorLine(String mentions) {
        assertNotEquals(0, exitCode, toString());
        String line = err.strip();
        assertEquals(1, line.lines().count(), "one line on stderr: " + this);
        assertTrue(line.contains(mentions), "the error should mention '" + mentions + "': "
                + this);
        assertFalse(err.contains("\tat "), "no stack trace: " + this);
    }

    @Override
    public String toString() {
        return "exit " + exitCode + ", stdout " + out + ", stderr [" + err.strip() + "]";
    }
}
