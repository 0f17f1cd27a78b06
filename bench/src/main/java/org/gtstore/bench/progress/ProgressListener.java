package org.gtstore.bench.progress;

/**
 * Receives snapshots of a running phase: about every progress interval (200 ms by default) and
 * once more with {@link Progress#finished()} set when the phase ends. Always called from the one
 * thread that runs the benchmark, never from the client's threads, so it may print or block
 * briefly without slowing the operations in flight.
 */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = progress -> { };

    void onProgress(Progress progress);
}
