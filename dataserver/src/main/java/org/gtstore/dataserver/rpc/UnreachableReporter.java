package org.gtstore.dataserver.rpc;

/**
 * Tells the metadata leader that a neighbour could not be reached, so it probes the server at
 * once instead of waiting out the failure timeout (DESIGN.md, "Fast path").
 */
public interface UnreachableReporter {
    /** Must not block: implementations send asynchronously. */
    void reportUnreachable(String serverId, String detail);
}
