package org.gtstore.dataserver.chain;

/**
 * The protocol state of the outbound stream to one successor. After a map change or a
 * reconnect, forwarding pauses until the successor answers the hello with its last applied
 * sequence numbers; the replica then re-sends exactly what is missing, and new updates follow.
 */
final class SuccessorLink {
    /** A hello is out and forwarding waits for its reply. */
    boolean awaitingReply;
    /** The tick the last hello was sent, to send it again if no reply comes. */
    long helloSentTick;
}
