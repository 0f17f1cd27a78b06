package org.gtstore.client;

import org.gtstore.proto.ErrorCode;

/**
 * A key or value the store cannot accept: an empty key, a key over {@code KEY_BYTES_MAX} bytes
 * or a value over {@code VALUE_BYTES_MAX} bytes. The client checks the limits before it sends
 * anything, so nothing was sent and nothing changed. The message names the field and its size.
 */
public class InvalidRequestException extends GtStoreException {
    private static final long serialVersionUID = 1L;

    public InvalidRequestException(String message) {
        super(message, ErrorCode.INVALID_ARGUMENT);
    }
}
