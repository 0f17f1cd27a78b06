package org.gtstore.dataserver.chain;

/**
 * Progress of feeding a joining replica, as the tail reports it in heartbeats: keys copied so
 * far out of the keys the copy has to send ({@code copiedKeys == totalKeys} once the copy is
 * done and the replica is fed live updates; both 0 if no copy was needed).
 */
public record CopyStatus(int partition, String joining, long copiedKeys, long totalKeys) {
}
