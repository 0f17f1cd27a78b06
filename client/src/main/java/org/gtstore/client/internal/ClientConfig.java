package org.gtstore.client.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.gtstore.proto.Limits;
import org.gtstore.proto.TransportSecurity;

/**
 * The client's settings, validated once. {@code GtStoreClient.Builder} fills it in; tests set the
 * timing knobs explicitly.
 *
 * @param metadataAddresses every metadata member as {@code host:rpcPort}
 * @param clientId sent with every put so the head can drop a retried duplicate
 * @param requestTimeout how long one attempt may take before the client gives up on that server
 * @param deadline how long a whole operation may take, retries included
 * @param metadataCallTimeout how long one metadata call to one member may take
 * @param backoffInitial the first back-off delay; it doubles per back-off, with jitter
 * @param backoffMax the largest back-off delay
 * @param eventLoopThreads event-loop threads of the client's data channels; 0 shares gRPC's
 *     default event loops (2 per core) instead
 */
public record ClientConfig(List<String> metadataAddresses, String clientId,
        Duration requestTimeout, Duration deadline, Duration metadataCallTimeout,
        Duration backoffInitial, Duration backoffMax, int eventLoopThreads,
        TransportSecurity security) {

    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMillis(1000);
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);
    public static final Duration DEFAULT_METADATA_CALL_TIMEOUT = Duration.ofMillis(2000);
    public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofMillis(5);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMillis(400);
    /**
     * One thread: on the 2-core machines this store targets, one loop that both reads answers
     * and writes the requests they trigger beats several loops handing work to each other.
     */
    public static final int DEFAULT_EVENT_LOOP_THREADS = 1;

    public ClientConfig {
        metadataAddresses = List.copyOf(metadataAddresses);
        Objects.requireNonNull(clientId, "clientId == null");
        Objects.requireNonNull(requestTimeout, "requestTimeout == null");
        Objects.requireNonNull(deadline, "deadline == null");
        Objects.requireNonNull(metadataCallTimeout, "metadataCallTimeout == null");
        Objects.requireNonNull(backoffInitial, "backoffInitial == null");
        Objects.requireNonNull(backoffMax, "backoffMax == null");
        validate(metadataAddresses, clientId, requestTimeout, deadline, metadataCallTimeout,
                backoffInitial, backoffMax);
        if (eventLoopThreads < 0) {
            throw new IllegalArgumentException("eventLoopThreads < 0: " + eventLoopThreads);
        }
    }

    private static void validate(List<String> addresses, String clientId,
            Duration requestTimeout, Duration deadline, Duration metadataCallTimeout,
            Duration backoffInitial, Duration backoffMax) {
        HostPort.checkAll(addresses);
        if (clientId.isBlank()) {
            throw new IllegalArgumentException("clientId is blank");
        }
        int idBytes = clientId.getBytes(StandardCharsets.UTF_8).length;
        if (idBytes > Limits.CLIENT_ID_BYTES_MAX_VALUE) {
            throw new IllegalArgumentException("clientId is " + idBytes + " bytes, more than "
                    + Limits.CLIENT_ID_BYTES_MAX_VALUE);
        }
        positive("requestTimeout", requestTimeout);
        positive("deadline", deadline);
        positive("metadataCallTimeout", metadataCallTimeout);
        positive("backoffInitial", backoffInitial);
        if (backoffMax.compareTo(backoffInitial) < 0) {
            throw new IllegalArgumentException("backoffMax < backoffInitial: " + backoffMax
                    + " < " + backoffInitial);
        }
    }

    static void positive(String name, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
