package org.gtstore.metadata.liveness;

import java.util.concurrent.CompletableFuture;

/**
 * Asks a data server whether it is there. Contract: the future always completes (never
 * exceptionally) within about the probe timeout, with what the probe proved.
 */
public interface ServerProber {

    /** What one probe proved about a server. */
    enum ProbeResult {
        /** It answered: alive. */
        REACHABLE,
        /** Nothing listens at its address: the process is gone. */
        REFUSED,
        /** No answer in time: proves nothing (it may be alive behind a partition). */
        NO_ANSWER
    }

    CompletableFuture<ProbeResult> probe(String address);
}
