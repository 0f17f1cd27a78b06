package org.gtstore.bench.cost;

/**
 * What the data servers sent, summed over the servers (their {@code GetStats} counts). The
 * counts only grow, so the difference of two readings is what was sent in between.
 *
 * @param chainMessages chain messages sent to neighbours
 * @param chainFlushes driver passes that sent chain messages (each pass's leave together)
 * @param updateMessages UpdateBatch messages among the chain messages
 * @param updates updates those batches carried
 * @param replyMessages ReplyBatch messages sent to clients
 * @param replies replies those messages carried
 */
public record ServerCounts(long chainMessages, long chainFlushes, long updateMessages,
        long updates, long replyMessages, long replies) {
    public static final ServerCounts ZERO = new ServerCounts(0, 0, 0, 0, 0, 0);

    public ServerCounts plus(ServerCounts o) {
        return new ServerCounts(chainMessages + o.chainMessages, chainFlushes + o.chainFlushes,
                updateMessages + o.updateMessages, updates + o.updates,
                replyMessages + o.replyMessages, replies + o.replies);
    }

    public ServerCounts minus(ServerCounts o) {
        return new ServerCounts(chainMessages - o.chainMessages, chainFlushes - o.chainFlushes,
                updateMessages - o.updateMessages, updates - o.updates,
                replyMessages - o.replyMessages, replies - o.replies);
    }

    /** Chain messages per flush; 0 when nothing was flushed. */
    public double messagesPerFlush() {
        return ratio(chainMessages, chainFlushes);
    }

    /** Updates per UpdateBatch message; 0 when none was sent. */
    public double updatesPerMessage() {
        return ratio(updates, updateMessages);
    }

    /** Replies per ReplyBatch message; 0 when none was sent. */
    public double repliesPerMessage() {
        return ratio(replies, replyMessages);
    }

    private static double ratio(long a, long b) {
        return b <= 0 ? 0.0 : (double) a / b;
    }
}
