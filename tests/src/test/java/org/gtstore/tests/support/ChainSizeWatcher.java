package org.gtstore.tests.support;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.gtstore.client.internal.MetadataClient;
import org.gtstore.proto.Chain;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.TransportSecurity;

/**
 * Watches every map the metadata publishes and records any chain with fewer than K members:
 * a move must add before it sheds, a drain must restore elsewhere before it removes.
 */
public final class ChainSizeWatcher implements AutoCloseable {
    private final int k;
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong seen = new AtomicLong();
    private final MetadataClient client;
    private final MetadataClient.Watch watch;

    private ChainSizeWatcher(int k, List<String> metadataAddresses,
            TransportSecurity security) {
        this.k = k;
        this.client = MetadataClient.create(metadataAddresses, security);
        this.watch = client.watch(0, new MetadataClient.MapListener() {
            @Override
            public void onMap(PartitionMap map) {
                check(map);
            }

            @Override
            public void onConnectionLost(String address, String reason) {
            }
        });
    }

    public static ChainSizeWatcher start(int k, List<String> metadataAddresses) {
        return new ChainSizeWatcher(k, metadataAddresses, TransportSecurity.plaintext());
    }

    public static ChainSizeWatcher start(int k, List<String> metadataAddresses,
            TransportSecurity security) {
        return new ChainSizeWatcher(k, metadataAddresses, security);
    }

    private void check(PartitionMap map) {
        seen.incrementAndGet();
        for (Chain ch : map.getChainsList()) {
            if (ch.getReplicasCount() < k && violations.size() < 10) {
                violations.add("epoch " + map.getEpoch() + " (" + map.getCause() + "): "
                        + ch.getPartition() + "=" + ch.getReplicasList());
            }
        }
    }

    /** Maps watched so far. */
    public long seen() {
        return seen.get();
    }

    /** Up to ten chains seen below K. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            watch.close();
            client.close();
        }
    }
}
