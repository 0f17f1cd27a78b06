package org.gtstore.dataserver.storage;

import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/**
 * The local store failed (disk full, I/O error, corruption). The data server cannot keep its
 * promises without its store, so the driver stops; the metadata then removes it from its
 * chains. A full disk is the one failure it waits out and recovers from (see
 * {@link #isOutOfSpace}); any other stops the process.
 */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True if {@code t} or one of its causes is a store failure because the disk is full. */
    public static boolean isOutOfSpace(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof RocksDBException r && r.getStatus() != null
                    && r.getStatus().getSubCode() == Status.SubCode.NoSpace) {
                return true;
            }
            String m = c.getMessage();
            if (m != null && m.contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }
}
