package org.gtstore.client;

import org.gtstore.proto.ErrorCode;

/**
 * An operation that the client retried until its deadline without success. The message says
 * which operation and key, how many attempts were made over how long, and the last error (which
 * server, what it answered or why it could not be reached). {@link #code()} is the last wire
 * code if a server answered with one.
 *
 * <p>For a put or delete the outcome is unknown: the write may have been applied. Retrying it
 * with a new request is safe only if the caller accepts that.
 */
public class OperationFailedException extends GtStoreException {
    private static final long serialVersionUID = 1L;

    public OperationFailedException(String message, ErrorCode lastCode, Throwable cause) {
        super(message, lastCode, cause);
    }
}
