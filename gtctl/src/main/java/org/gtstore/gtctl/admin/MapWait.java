package org.gtstore.gtctl.admin;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Predicate;
import org.gtstore.gtctl.GtctlException;
import org.gtstore.gtctl.cluster.MetadataView;
import org.gtstore.proto.PartitionMap;

/** Polls the leader's map until it satisfies a condition, for the commands that --wait. */
final class MapWait {
    private static final long POLL_MS = 200;

    private MapWait() {
    }

    /** The first map in which nothing moves and servers hold slots and heads within one. */
    static PartitionMap untilBalanced(MetadataView view, Duration timeout, String what) {
        return until(view, timeout, what, m -> MoveProgress.of(m).balanced(),
                m -> MoveProgress.of(m).describe());
    }

    /**
     * The first map that satisfies {@code done}; a {@link GtctlException} naming what was
     * awaited and the last map's state ({@code describe}) once {@code timeout} passed.
     */
    static PartitionMap until(MetadataView view, Duration timeout, String what,
            Predicate<PartitionMap> done, Function<PartitionMap, String> describe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        PartitionMap map = view.map();
        while (!done.test(map)) {
            if (System.nanoTime() - deadline >= 0) {
                throw new GtctlException("timed out after " + timeout.toSeconds()
                        + " s waiting for " + what + " (map epoch " + map.getEpoch() + ": "
                        + describe.apply(map) + ")");
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GtctlException("interrupted while waiting for " + what);
            }
            map = view.map();
        }
        return map;
    }
}
