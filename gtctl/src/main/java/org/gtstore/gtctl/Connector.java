package org.gtstore.gtctl;

import java.time.Duration;
import java.util.List;
import org.gtstore.gtctl.cluster.MetadataView;
import org.gtstore.gtctl.kv.KeyValueStore;
import org.gtstore.proto.StatsResponse;
import org.gtstore.proto.TransportSecurity;

/**
 * How commands reach a cluster. {@link #real()} uses the client library; tests pass fakes to
 * {@link Gtctl#run}.
 */
public interface Connector {
    /** A store that routes through the given metadata members, with an overall deadline. */
    KeyValueStore openStore(List<String> metadataAddresses, Duration deadline);

    MetadataView openMetadata(List<String> metadataAddresses);

    /**
     * One data server's counts ({@code GetStats}); with {@code countsOnly} false also its key
     * counts and applied seqs, which read its store.
     *
     * @throws RuntimeException if it does not answer within {@code timeout}
     */
    default StatsResponse serverStats(String address, boolean countsOnly, Duration timeout) {
        throw new UnsupportedOperationException("serverStats");
    }

    /** This connector with its connections secured as {@code security} says. */
    default Connector secured(TransportSecurity security) {
        return this;
    }

    static Connector real() {
        return new ClientConnector();
    }
}
