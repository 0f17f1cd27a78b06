package org.gtstore.dataserver.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.ManagedChannel;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.dataserver.rpc.Channels;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.PingRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data server that binds every interface registers the address it was told to advertise,
 * and answers there: what a server on a machine with several addresses (or behind a name)
 * needs, so that peers and clients reach it through the map.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DataServerAdvertiseTest {
    @TempDir
    Path dir;

    private FakeMetadataService meta;
    private DataServer server;
    private ManagedChannel channel;
    private final List<Throwable> fatal = new ArrayList<>();

    @Test
    void aServerListeningOnEveryInterfaceRegistersAndAnswersAtItsAdvertisedAddress()
            throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        meta = new FakeMetadataService(5000, 50);
        String advertised = "localhost:" + port;
        server = DataServer.start(DataServerConfig.of("s1", "0.0.0.0", port, dir.resolve("s1"),
                List.of(meta.address())).withAdvertise(advertised).validate(), fatal::add);
        await().atMost(Duration.ofSeconds(10)).until(() -> meta.addresses.size() == 1);
        assertEquals(advertised, meta.registerRequests.get(0).getAddress());
        assertEquals(advertised, server.address());
        channel = Channels.forAddress(advertised);
        DataServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .ping(PingRequest.getDefaultInstance());
        assertEquals(List.of(), fatal);
    }

    @AfterEach
    void stop() throws Exception {
        Channels.close(channel);
        if (server != null) {
            server.close();
        }
        if (meta != null) {
            meta.close();
        }
    }
}
