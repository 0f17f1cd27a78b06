package org.gtstore.dataserver.chain;

import org.gtstore.proto.ChainMessage;

/** One chain message to send to a neighbour on the given kind of stream. */
public record Outbound(String peer, StreamKind stream, ChainMessage message) {
}
