package org.gtstore.gtctl;

import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.gtstore.client.GtStoreClient;
import org.gtstore.client.internal.Channels;
import org.gtstore.gtctl.cluster.ClientMetadataView;
import org.gtstore.gtctl.cluster.MetadataView;
import org.gtstore.gtctl.kv.ClientKeyValueStore;
import org.gtstore.gtctl.kv.KeyValueStore;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.StatsRequest;
import org.gtstore.proto.StatsResponse;
import org.gtstore.proto.TransportSecurity;

/** The real {@link Connector}: the client library. */
final class ClientConnector implements Connector {
    private final TransportSecurity security;

    ClientConnector() {
        this(TransportSecurity.plaintext());
    }

    private ClientConnector(TransportSecurity security) {
        this.security = security;
    }

    @Override
    public Connector secured(TransportSecurity s) {
        return new ClientConnector(s);
    }

    @Override
    public KeyValueStore openStore(List<String> metadataAddresses, Duration deadline) {
        GtStoreClient client = GtStoreClient.builder()
                .metadataAddresses(metadataAddresses)
                .clientId("gtctl-" + ProcessHandle.current().pid() + "-"
                        + String.format("%08x", ThreadLocalRandom.current().nextInt()))
                .deadline(deadline)
                .security(security)
                .build();
        return new ClientKeyValueStore(client);
    }

    @Override
    public StatsResponse serverStats(String address, boolean countsOnly, Duration timeout) {
        ManagedChannel channel = Channels.open(address, security);
        try {
            return DataServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .getStats(StatsRequest.newBuilder().setCountsOnly(countsOnly).build());
        } finally {
            Channels.closeNow(channel);
        }
    }

    @Override
    public MetadataView openMetadata(List<String> metadataAddresses) {
        return ClientMetadataView.connect(metadataAddresses, security);
    }
}
