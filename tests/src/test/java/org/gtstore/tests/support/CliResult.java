package org.gtstore.tests.support;

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

    @Override
    public String toString() {
        return "exit " + exitCode + ", stdout " + out + ", stderr [" + err.strip() + "]";
    }
}
