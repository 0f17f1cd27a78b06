package org.gtstore.dataserver.server;

/**
 * The metadata lease (DESIGN.md, "Fencing"): valid while the last heartbeat the leader answered
 * was sent less than the lease period ago. The driver asks before every batch, so a server whose
 * lease ran out stops serving within one batch.
 */
public interface LeaseSource {
    boolean leaseValidAt(long nanoTime);

    /** True once the lease was ended for a graceful stop (it is then never valid again). */
    default boolean stopping() {
        return false;
    }
}
