package org.gtstore.dataserver.chain;

/**
 * One chain stream as this replica sees it: the peer and the direction ({@link StreamKind}).
 * Order is kept per lane, both for what goes out ({@link Outbox}) and for what waits for a newer
 * map ({@link HeldParts}).
 */
record Lane(String peer, StreamKind stream) {
}
