package org.gtstore.client;

/**
 * No metadata member could be reached (or none answered usefully). The message lists the
 * addresses that were tried, what each one did, and what to do next.
 */
public class MetadataUnavailableException extends GtStoreException {
    private static final long serialVersionUID = 1L;

    private final boolean refused;

    public MetadataUnavailableException(String message) {
        this(message, null, false);
    }

    public MetadataUnavailableException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /** @param refused every member refused the connection (see {@link #refused()}) */
    public MetadataUnavailableException(String message, Throwable cause, boolean refused) {
        super(message, null, cause);
        this.refused = refused;
    }

    /**
     * True when every member turned the client away: refused the connection (nothing listens
     * at any metadata address, so the cluster is not running), or refused its credentials (a
     * failed TLS handshake, a missing or wrong cluster token); retrying soon cannot help.
     * False when a member timed out or answered without a result (for example while the
     * group elects a leader): that may pass, and the client retries it until the operation's
     * deadline.
     */
    public boolean refused() {
        return refused;
    }
}
