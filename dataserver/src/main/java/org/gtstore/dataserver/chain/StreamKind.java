package org.gtstore.dataserver.chain;

/**
 * Which of the two long-lived streams between a pair of neighbours a chain message travels on.
 *
 * <p>The predecessor opens the stream, so each server holds one {@link #OUTBOUND} stream per
 * successor (hellos and updates go down it; hello replies, acks and rejections come back up) and
 * one {@link #INBOUND} stream per predecessor (the mirror image). A reply always goes back on the
 * stream its request arrived on. A pair of servers that are
 * neighbours in both directions, in different partitions, has one stream of each kind.
 */
public enum StreamKind {
    /** The stream the peer opened to us: the peer is our predecessor. Replies go upstream. */
    INBOUND,
    /** The stream we opened to the peer: the peer is our successor. Updates go downstream. */
    OUTBOUND
}
