package org.gtstore.gtctl;

/**
 * A failure to report to the user as one line on stderr, with the exit code to return
 * ({@link Gtctl#EXIT_FAILURE} or {@link Gtctl#EXIT_USAGE}).
 */
public class GtctlException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public GtctlException(String message) {
        this(message, Gtctl.EXIT_FAILURE);
    }

    public GtctlException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
