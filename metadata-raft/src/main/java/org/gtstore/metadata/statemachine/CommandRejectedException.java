package org.gtstore.metadata.statemachine;

import java.io.IOException;
import org.gtstore.metadata.command.Rejection;

/**
 * Raised in startTransaction for a command that is invalid against the leader's applied state,
 * so that it never enters the log. Ratis hands it back to the proposer in the reply.
 */
public final class CommandRejectedException extends IOException {

    private final transient Rejection rejection;

    public CommandRejectedException(Rejection rejection) {
        super(rejection.toString());
        this.rejection = rejection;
    }

    public Rejection rejection() {
        return rejection;
    }
}
