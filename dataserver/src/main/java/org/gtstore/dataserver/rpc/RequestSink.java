package org.gtstore.dataserver.rpc;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;
import org.gtstore.proto.ClientBatch;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;

/**
 * Where the gRPC service hands client requests: the driver, which answers them later, in a
 * pass on the server's I/O loop. Implementations only enqueue.
 */
public interface RequestSink {
    void submitPut(PutRequest request, StreamObserver<PutResponse> reply);

    void submitGet(GetRequest request, StreamObserver<GetResponse> reply);

    /**
     * Every operation of one session batch, in one queue insertion; each is answered through
     * the session's {@link ClientSession#putReply}/{@link ClientSession#getReply}, and the
     * session is flushed once per pass of the driver loop that answered some of them.
     */
    void submitBatch(ClientBatch batch, ClientSession session);

    /** Runs a task on the thread that answers requests, after what is already queued. */
    Executor driverExecutor();
}
