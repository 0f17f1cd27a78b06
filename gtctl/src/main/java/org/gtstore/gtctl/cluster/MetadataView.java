package org.gtstore.gtctl.cluster;

import java.util.Optional;
import java.util.function.Consumer;
import org.gtstore.proto.AdminResponse;
import org.gtstore.proto.ChangeMetaMembersRequest;
import org.gtstore.proto.MemberStatus;
import org.gtstore.proto.PartitionMap;

/**
 * What gtctl and the launcher read from the metadata group: the map, each member's own status
 * and the stream of map changes. It is an interface so that the status, watch and readiness
 * logic can be tested with a fake; {@link ClientMetadataView} is the real one, over the client
 * library's {@code MetadataClient}.
 */
public interface MetadataView extends AutoCloseable {

    /**
     * The current map, from the leader when there is one (so it shows every change the group
     * acknowledged, e.g. a restarted server's registration), else the newest any member has.
     *
     * @throws RuntimeException when no member can be reached; the message says which were tried
     */
    PartitionMap map();

    /** A map at least as new as {@code knownEpoch} if any member has one, else the newest. */
    PartitionMap map(long knownEpoch);

    /** One member's own view (role, term, pid), or empty when it does not answer. */
    Optional<MemberStatus> memberStatus(String rpcAddress);

    /**
     * Calls {@code onMap} with every map from {@code fromEpoch} on, in increasing epoch order and
     * on one thread, until the returned handle is closed, reconnecting to another member when a
     * stream breaks; {@code onConnectionLost} hears about each break (one line, for people).
     */
    Watch watch(long fromEpoch, Consumer<PartitionMap> onMap, Consumer<String> onConnectionLost);

    /** A running watch; closing it stops the deliveries. */
    interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    /** Asks the leader to drain a data server, or to stop draining it. */
    default AdminResponse drain(String serverId, boolean cancel) {
        throw new UnsupportedOperationException("drain");
    }

    /** Asks the leader to forget a dead data server. */
    default AdminResponse removeServer(String serverId) {
        throw new UnsupportedOperationException("removeServer");
    }

    /** Asks the leader to add or remove one metadata member. */
    default AdminResponse changeMetaMembers(ChangeMetaMembersRequest request) {
        throw new UnsupportedOperationException("changeMetaMembers");
    }

    @Override
    void close();
}
