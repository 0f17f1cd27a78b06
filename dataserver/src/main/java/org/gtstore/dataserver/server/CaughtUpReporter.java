package org.gtstore.dataserver.server;

import org.gtstore.dataserver.chain.CaughtUpReport;

/**
 * Tells the metadata leader that a joining replica has caught up (ReportCaughtUp), so it makes
 * it the tail. Must not block; the replica repeats the report until the map changes, so a lost
 * one costs a retry, not correctness.
 */
public interface CaughtUpReporter {
    void reportCaughtUp(CaughtUpReport report);
}
