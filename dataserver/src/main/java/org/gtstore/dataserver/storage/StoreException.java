package org.gtstore.dataserver.storage;

/**
 * The local store failed (disk full, I/O error, corruption). The data server cannot keep its
 * promises without its store, so the driver treats this as fatal and stops the process; the
 * metadata then removes it from its chains.
 */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
