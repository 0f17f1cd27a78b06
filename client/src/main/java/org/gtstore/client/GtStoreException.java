package org.gtstore.client;

import java.util.Optional;
import org.gtstore.proto.ErrorCode;

/**
 * The base of every exception the client library throws. It is unchecked, like the rest of the
 * library's failures, because a caller can rarely do more than report it.
 *
 * <p>{@link #code()} gives the wire {@link ErrorCode} behind the failure when there is one (for
 * example {@code INTERNAL} from a data server); a failure that never reached a server, such as a
 * refused connection, has none.
 */
public class GtStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public GtStoreException(String message) {
        this(message, null, null);
    }

    public GtStoreException(String message, ErrorCode code) {
        this(message, code, null);
    }

    public GtStoreException(String message, ErrorCode code, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The wire error code behind this failure, if a server answered with one. */
    public Optional<ErrorCode> code() {
        return Optional.ofNullable(code);
    }
}
