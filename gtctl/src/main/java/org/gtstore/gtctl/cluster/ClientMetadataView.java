package org.gtstore.gtctl.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.gtstore.client.GtStoreException;
import org.gtstore.client.internal.MetadataClient;
import org.gtstore.client.MetadataUnavailableException;
import org.gtstore.proto.AdminResponse;
import org.gtstore.proto.ChangeMetaMembersRequest;
import org.gtstore.proto.MemberStatus;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.TransportSecurity;

/** The {@link MetadataView} over the client library's {@link MetadataClient}. */
public final class ClientMetadataView implements MetadataView {
    /** Short, so that a dead member does not stall a status or a readiness poll. */
    static final Duration CALL_TIMEOUT = Duration.ofMillis(700);

    private final MetadataClient client;

    private ClientMetadataView(MetadataClient client) {
        this.client = client;
    }

    public static MetadataView connect(List<String> addresses) {
        return connect(addresses, TransportSecurity.plaintext());
    }

    /** A view of the group at {@code addresses}, its connections secured as given. */
    public static MetadataView connect(List<String> addresses, TransportSecurity security) {
        return new ClientMetadataView(MetadataClient.builder()
                .addresses(addresses)
                .security(security)
                .callTimeout(CALL_TIMEOUT)
                .clientId("gtctl-" + ProcessHandle.current().pid())
                .build());
    }

    @Override
    public PartitionMap map() {
        try {
            return client.getLeaderMap();
        } catch (MetadataUnavailableException e) {
            // No leader now (an election, or a majority down): the newest map any member has.
            return client.getMap();
        }
    }

    @Override
    public PartitionMap map(long knownEpoch) {
        return client.getMap(knownEpoch);
    }

    @Override
    public Optional<MemberStatus> memberStatus(String rpcAddress) {
        try {
            return Optional.of(client.memberStatus(rpcAddress));
        } catch (GtStoreException e) {
            return Optional.empty();
        }
    }

    @Override
    public Watch watch(long fromEpoch, Consumer<PartitionMap> onMap,
            Consumer<String> onConnectionLost) {
        MetadataClient.Watch watch = client.watch(fromEpoch, new MetadataClient.MapListener() {
            @Override
            public void onMap(PartitionMap map) {
                onMap.accept(map);
            }

            @Override
            public void onConnectionLost(String address, String reason) {
                onConnectionLost.accept("lost the watch stream from " + address + " (" + reason
                        + "); reconnecting");
            }
        });
        return watch::close;
    }

    @Override
    public AdminResponse drain(String serverId, boolean cancel) {
        return client.drain(serverId, cancel);
    }

    @Override
    public AdminResponse removeServer(String serverId) {
        return client.removeServer(serverId);
    }

    @Override
    public AdminResponse changeMetaMembers(ChangeMetaMembersRequest request) {
        return client.changeMetaMembers(request);
    }

    @Override
    public void close() {
        client.close();
    }
}
