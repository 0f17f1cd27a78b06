package org.gtstore.dataserver.rpc;

import io.grpc.stub.StreamObserver;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;

/**
 * Where the gRPC service hands client requests: the driver, which answers them later from its
 * own thread. Implementations only enqueue.
 */
public interface RequestSink {
    void submitPut(PutRequest request, StreamObserver<PutResponse> reply);

    void submitGet(GetRequest request, StreamObserver<GetResponse> reply);
}
