package org.gtstore.dataserver.rpc;

import java.util.List;
import java.util.Map;
import org.gtstore.dataserver.chain.Outbound;

/**
 * Carries chain messages between neighbours (Kafka's {@code NetworkChannel} seam).
 *
 * <p>Contract: messages to one peer on one stream arrive in the order sent, or not at all; there
 * is no promise that anything sent arrives, and nothing is retried here. A stream that breaks is
 * reported through {@link ChainListener#onPeerDisconnected}; once it is open again,
 * {@link ChainListener#onPeerConnected} lets the protocol say hello and re-send what is missing.
 *
 * <p>Threading: every method is called from the driver thread only.
 */
public interface ChainTransport extends AutoCloseable {

    /**
     * The successors this server feeds, with their addresses: open an outbound stream to each
     * new one, close the streams to servers no longer listed.
     */
    void setSuccessors(Map<String, String> addresses);

    /** Sends one message, or drops it if the stream it belongs on is not open. */
    void send(Outbound outbound);

    /**
     * Sends the messages of one driver pass, in order, as {@link #send} does each; they leave
     * together (one flush), so the transport can count messages per flush.
     */
    void sendAll(List<Outbound> messages);

    @Override
    void close();
}
