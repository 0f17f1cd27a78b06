package org.gtstore.dataserver.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.gtstore.dataserver.rpc.Channels;
import org.gtstore.dataserver.storage.LocalStore;
import org.gtstore.dataserver.storage.RocksDbStore;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.KeyPartitioner;

/**
 * Real data servers in one JVM for a test: each on a free port with its own data directory
 * under {@code dir}, talking to a fake metadata service; channels to them by id, replaced when
 * a server restarts on a new port. {@link #close()} stops everything and fails the test if any
 * server's driver hit a fatal error.
 */
final class LocalDataServers implements AutoCloseable {
    private final Path dir;
    private final Map<String, DataServer> servers = new HashMap<>();
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final List<Throwable> fatal = new ArrayList<>();
    private final List<TestClient> clients = new ArrayList<>();
    private TestClient reader;

    LocalDataServers(Path dir) {
        this.dir = dir;
    }

    DataServer start(String id, FakeMetadataService meta) throws Exception {
        return start(id, meta, RocksDbStore::open);
    }

    /** A server on the store {@code storeOpener} opens in its directory. */
    DataServer start(String id, FakeMetadataService meta, Function<Path, LocalStore> storeOpener)
            throws Exception {
        return start(DataServerConfig.of(id, "127.0.0.1", 0, dir.resolve(id),
                List.of(meta.address())), storeOpener);
    }

    /** A server with a Prometheus endpoint on a free loopback port. */
    DataServer startWithMetrics(String id, FakeMetadataService meta) throws Exception {
        return start(DataServerConfig.of(id, "127.0.0.1", 0, dir.resolve(id),
                List.of(meta.address())).withMetrics("127.0.0.1:0"), RocksDbStore::open);
    }

    private DataServer start(DataServerConfig c, Function<Path, LocalStore> storeOpener)
            throws Exception {
        String id = c.serverId();
        DataServer s = DataServer.start(c, fatal::add, storeOpener);
        servers.put(id, s);
        return s;
    }

    /**
     * Starts the named servers, waits until they registered, gives every partition the chain
     * {@code ids} at epoch 1 and waits until each server applied it and holds a lease.
     */
    void startChain(FakeMetadataService meta, int partitions, String... ids) throws Exception {
        for (String id : ids) {
            start(id, meta);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> meta.addresses.size() >= ids.length);
        meta.publish(1, partitions, p -> List.of(ids));
        awaitEpoch(Duration.ofSeconds(10), 1, ids);
    }

    DataServer server(String id) {
        return servers.get(id);
    }

    /** Stops one server (like a crash of the process: its data stays) and drops its channel. */
    void stop(String id) {
        clients.forEach(c -> c.forget(id));
        DataServer s = servers.remove(id);
        channels.entrySet().removeIf(e -> {
            if (e.getKey().startsWith(id + "@")) {
                Channels.close(e.getValue());
                return true;
            }
            return false;
        });
        s.close();
    }

    ManagedChannel channel(String id) {
        String address = servers.get(id).address();
        return channels.computeIfAbsent(id + "@" + address, k -> Channels.forAddress(address));
    }

    /** Waits until every named server has applied {@code epoch} and holds a valid lease. */
    void awaitEpoch(Duration timeout, long epoch, String... ids) {
        for (String id : ids) {
            await().atMost(timeout).until(() -> servers.get(id).epoch() >= epoch
                    && servers.get(id).leaseValid());
        }
    }

    /** A client of these servers (see {@link TestClient}), closed with them. */
    TestClient client(String clientId) {
        TestClient c = new TestClient(this::channel, () -> List.copyOf(servers.keySet()),
                clientId);
        clients.add(c);
        return c;
    }

    GetResponse get(String server, KeyPartitioner partitioner, long epoch, String key)
            throws Exception {
        if (reader == null) {
            reader = client("test-reader");
        }
        ByteString k = ByteString.copyFrom(key, StandardCharsets.UTF_8);
        return reader.get(server, GetRequest.newBuilder().setEpoch(epoch)
                .setPartition(partitioner.partitionOf(k)).setKey(k).build());
    }

    @Override
    public void close() {
        clients.forEach(TestClient::close);
        channels.values().forEach(Channels::close);
        servers.values().forEach(DataServer::close);
        assertTrue(fatal.isEmpty(), "driver failures: " + fatal);
    }
}
