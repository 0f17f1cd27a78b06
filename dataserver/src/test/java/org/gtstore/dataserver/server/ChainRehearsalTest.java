package org.gtstore.dataserver.server;

import java.util.concurrent.TimeUnit;
import org.gtstore.dataserver.chain.ChainReplicaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chain rehearsal: every step (writes on a chain, repair after a leave, a copy to a joining
 * replica, the joining replica as the tail) ends as the protocol says, or the rehearsal throws.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChainRehearsalTest {

    @Test
    void everyStepCommitsItsWritesAndAnswersItsReads() {
        for (int round = 1; round <= 2; round++) {
            long start = System.nanoTime();
            ChainRehearsal.run(ChainReplicaConfig.defaults());
            System.out.printf("rehearsal %d: %d ms%n", round,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
    }
}
