package org.gtstore.dataserver.rpc;

import java.util.concurrent.Executor;
import org.gtstore.dataserver.chain.StreamKind;
import org.gtstore.proto.ChainMessage;

/**
 * What the transport reports to the driver. Calls come from the transport (the server's I/O
 * loop); implementations hand them to the driver and return at once (they must never block).
 */
public interface ChainListener {

    /**
     * A chain message arrived on a stream of the given kind; {@code handled}, if not null, is
     * run on the driver thread once the driver has stepped it (the stream's flow control).
     */
    void onChainMessage(ChainMessage message, StreamKind arrivedOn, Runnable handled);

    /** The outbound stream to a successor is open again after a failure. */
    void onPeerConnected(String peer);

    /** The outbound stream to a successor broke. */
    void onPeerDisconnected(String peer);

    /** Runs transport bookkeeping on the driver thread, in order with the messages. */
    Executor driverExecutor();
}
