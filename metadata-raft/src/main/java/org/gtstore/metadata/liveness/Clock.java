package org.gtstore.metadata.liveness;

/**
 * A monotonic clock, injected so that liveness decisions can be tested with fake time.
 * Contract: {@link #nanoTime()} never goes backwards within one instance.
 */
public interface Clock {

    long nanoTime();

    static Clock system() {
        return System::nanoTime;
    }
}
