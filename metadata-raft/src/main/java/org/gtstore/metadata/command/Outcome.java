package org.gtstore.metadata.command;

import org.gtstore.metadata.model.ClusterState;
import org.gtstore.proto.MetaCommandReply;

/**
 * The result of applying one logged command: the next state (the same object when the command
 * was rejected at apply time, so the epoch did not move) and the reply for whoever proposed it.
 */
public record Outcome(ClusterState state, MetaCommandReply reply) {

    public boolean changed() {
        return reply.getCode() == org.gtstore.proto.ErrorCode.OK;
    }
}
