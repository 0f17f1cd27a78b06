package org.gtstore.gtctl;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.gtstore.client.GtStoreClient;
import org.gtstore.gtctl.cluster.ClientMetadataView;
import org.gtstore.gtctl.cluster.MetadataView;

/** The real {@link Connector}: the client library. */
final class ClientConnector implements Connector {
    @Override
    public KeyValueStore openStore(List<String> metadataAddresses, Duration deadline) {
        GtStoreClient client = GtStoreClient.builder()
                .metadataAddresses(metadataAddresses)
                .clientId("gtctl-" + ProcessHandle.current().pid() + "-"
                        + String.format("%08x", ThreadLocalRandom.current().nextInt()))
                .deadline(deadline)
                .build();
        return new ClientKeyValueStore(client);
    }

    @Override
    public MetadataView openMetadata(List<String> metadataAddresses) {
        return ClientMetadataView.connect(metadataAddresses);
    }
}
