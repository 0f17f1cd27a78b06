package org.gtstore.metadata.service;

import java.util.concurrent.CompletableFuture;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.MetaCommandReply;

/**
 * Puts a command in the metadata log. Contract: the future completes after the command was
 * applied on this member (so the applied state already shows it) with the state machine's
 * reply, or with a reply carrying NOT_LEADER, a rejection code, UNAVAILABLE or TIMEOUT; it
 * never completes exceptionally.
 */
public interface CommandSubmitter {

    CompletableFuture<MetaCommandReply> submit(MetaCommand command);
}
