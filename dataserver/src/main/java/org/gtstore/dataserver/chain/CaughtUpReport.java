package org.gtstore.dataserver.chain;

/**
 * The tail tells the metadata that the joining replica {@code joining} of {@code partition} has
 * applied everything up to {@code seq} (what the tail held when the stream to it went live), so
 * the metadata may make it the tail. Emitted again every {@code caughtUpRetryTicks} until the
 * map shows the change or the chain changes otherwise. {@code joiningIncarnation} is the joining
 * replica's incarnation in the tail's map: the metadata refuses the report if it registered
 * again since (its new process may hold less than the old one acknowledged).
 */
public record CaughtUpReport(int partition, String joining, long mapEpoch, long seq,
        long joiningIncarnation) {
}
