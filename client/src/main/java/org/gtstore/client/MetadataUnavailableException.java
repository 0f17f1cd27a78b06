package org.gtstore.client;

/**
 * No metadata member could be reached (or none answered usefully). The message lists the
 * addresses that were tried, what each one did, and what to do next.
 */
public class MetadataUnavailableException extends GtStoreException {
    private static final long serialVersionUID = 1L;

    public MetadataUnavailableException(String message) {
        super(message);
    }

    public MetadataUnavailableException(String message, Throwable cause) {
        super(message, null, cause);
    }
}
