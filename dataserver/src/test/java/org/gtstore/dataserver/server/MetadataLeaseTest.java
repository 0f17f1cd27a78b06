package org.gtstore.dataserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The lease runs from the send time of the latest answered call (DESIGN.md, fencing). */
class MetadataLeaseTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void noLeaseBeforeAnAnswer() {
        assertFalse(new MetadataLease().leaseValidAt(System.nanoTime()));
    }

    @Test
    void anAnswerExtendsTheLeaseFromItsSendTimeNotItsArrival() {
        MetadataLease lease = new MetadataLease();
        lease.setDuration(1000);
        long sent = 5_000 * MS;
        lease.extend(sent);
        assertTrue(lease.leaseValidAt(sent + 999 * MS));
        assertFalse(lease.leaseValidAt(sent + 1000 * MS), "ends a lease after the send");
    }

    @Test
    void anOlderAnswerArrivingLateDoesNotMoveTheLease() {
        MetadataLease lease = new MetadataLease();
        lease.setDuration(1000);
        lease.extend(2_000 * MS);
        lease.extend(1_500 * MS);
        assertTrue(lease.leaseValidAt(2_900 * MS));
        lease.extend(2_500 * MS);
        assertTrue(lease.leaseValidAt(3_400 * MS));
    }

    @Test
    void anEndedLeaseIsGoneUntilTheNextAnswer() {
        MetadataLease lease = new MetadataLease();
        lease.extend(1_000 * MS);
        lease.end();
        assertFalse(lease.leaseValidAt(1_001 * MS));
        lease.extend(1_100 * MS);       // registered again
        assertTrue(lease.leaseValidAt(1_101 * MS));
    }

    @Test
    void aDurationOfZeroKeepsTheDefault() {
        MetadataLease lease = new MetadataLease();
        lease.setDuration(0);
        assertEquals(MetadataLease.DEFAULT_LEASE_MS, lease.durationMs());
    }
}
