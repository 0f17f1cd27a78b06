package org.gtstore.dataserver.chain;

/** What a replica did with a state-transfer chunk from its predecessor. */
enum ChunkOutcome {
    /** Out of order (earlier chunks were lost): the sender must re-sync. */
    REFUSED,
    STORED,
    /** The last chunk: this replica must now say hello to its own successor. */
    STORED_LAST_HELLO_SUCCESSOR
}
