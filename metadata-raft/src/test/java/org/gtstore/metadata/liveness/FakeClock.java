package org.gtstore.metadata.liveness;

import java.util.concurrent.TimeUnit;

/** A clock that moves only when a test says so. */
public final class FakeClock implements Clock {

    private long nowNs = 1_000_000_000L;

    @Override
    public synchronized long nanoTime() {
        return nowNs;
    }

    public synchronized void advanceMs(long ms) {
        nowNs += TimeUnit.MILLISECONDS.toNanos(ms);
    }
}
