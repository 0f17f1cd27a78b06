package org.gtstore.gtctl.cluster;

/**
 * A cluster operation that cannot be done, with a message an operator can act on: one line that
 * says what is wrong and what to do. Operator mistakes (unknown id, a cluster already running,
 * K larger than N) change nothing before this is thrown.
 */
public class ClusterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ClusterException(String message) {
        super(message);
    }

    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
