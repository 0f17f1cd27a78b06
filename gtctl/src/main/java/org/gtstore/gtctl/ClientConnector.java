package org.gtstore.gtctl;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.gtstore.client.GtStoreClient;
import org.gtstore.gtctl.cluster.ClientMetadataView;
import org.gtstore.gtctl.cluster.MetadataView;
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
    public MetadataView openMetadata(List<String> metadataAddresses) {
        return ClientMetadataView.connect(metadataAddresses, security);
    }
}
