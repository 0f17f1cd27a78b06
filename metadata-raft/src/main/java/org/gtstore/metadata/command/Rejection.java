package org.gtstore.metadata.command;

import java.util.Objects;
import org.gtstore.proto.ErrorCode;

/** Why a command may not be applied to a state: a wire error code and a readable message. */
public record Rejection(ErrorCode code, String message) {

    public Rejection {
        Objects.requireNonNull(code, "code == null");
        Objects.requireNonNull(message, "message == null");
        if (code == ErrorCode.OK) {
            throw new IllegalArgumentException("a rejection cannot carry OK: " + message);
        }
    }

    @Override
    public String toString() {
        return code + ": " + message;
    }
}
