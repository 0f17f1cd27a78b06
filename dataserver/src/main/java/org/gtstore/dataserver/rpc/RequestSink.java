package org.gtstore.dataserver.rpc;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;
import org.gtstore.proto.ClientBatch;
import org.gtstore.proto.ScanRequest;
import org.gtstore.proto.ScanResponse;

/**
 * Where the gRPC service hands client requests: the driver, which answers them later, in a
 * pass on the server's I/O loop. Implementations only enqueue.
 */
public interface RequestSink {
    /**
     * Every operation of one session batch, in one queue insertion; each is answered through
     * its {@link ClientSession.Op} handle, and the session is flushed once per pass of the
     * driver loop that answered some of them. A batch that names its client id registers the
     * session for that client's Committed replies first.
     */
    void submitBatch(ClientBatch batch, ClientSession session);

    /** One scan page, answered through {@code reply} (one response, then completed). */
    void submitScan(ScanRequest request, StreamObserver<ScanResponse> reply);

    /** Runs a task on the thread that answers requests, after what is already queued. */
    Executor driverExecutor();
}
