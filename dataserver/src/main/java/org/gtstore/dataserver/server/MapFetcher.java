package org.gtstore.dataserver.server;

/**
 * Asks the metadata for a map at least as new as an epoch a request or a peer has shown us.
 * Asynchronous and idempotent: calls while a fetch is in flight are merged.
 */
public interface MapFetcher {
    void wantMap(long epoch);
}
