package org.gtstore.dataserver.server;

import com.google.protobuf.ByteString;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PutRequest;

/** Client requests at map epoch 1, for tests that speak to real servers over a raw session. */
final class Requests {
    private Requests() {
    }

    static PutRequest put(KeyPartitioner partitioner, String key, String value, String clientId,
            long requestId) {
        ByteString k = ByteString.copyFromUtf8(key);
        return PutRequest.newBuilder().setEpoch(1).setPartition(partitioner.partitionOf(k))
                .setKey(k).setValue(ByteString.copyFromUtf8(value)).setClientId(clientId)
                .setRequestId(requestId).build();
    }

    static GetRequest get(KeyPartitioner partitioner, String key) {
        ByteString k = ByteString.copyFromUtf8(key);
        return GetRequest.newBuilder().setEpoch(1).setPartition(partitioner.partitionOf(k))
                .setKey(k).build();
    }
}
