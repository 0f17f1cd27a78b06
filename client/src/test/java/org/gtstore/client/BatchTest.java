package org.gtstore.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** getAll and putAll against fake servers: per-key outcomes, order, the batch bound. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BatchTest {
    private static final int PARTITIONS = 16;

    private FakeMetadataServer meta;
    private List<FakeDataServer> servers;
    private GtStoreClient client;

    @BeforeEach
    void start() throws Exception {
        meta = new FakeMetadataServer("meta1");
        servers = TestMaps.servers(3);
        meta.setMap(TestMaps.rotated(1, PARTITIONS, 2, servers));
        client = GtStoreClient.builder().metadataAddresses(List.of(meta.address()))
                .deadline(Duration.ofSeconds(10)).build();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        for (FakeDataServer s : servers) {
            s.close();
        }
        meta.close();
    }

    @Test
    void everyKeyHasItsOwnOutcomeInTheOrderGiven() {
        Map<String, String> entries = new LinkedHashMap<>();
        for (int i = 40; i >= 0; i--) {
            entries.put("k" + i, "v" + i);
        }
        entries.put("x".repeat(1025), "too long a key");
        BatchResult<PutResult> put = client.putAll(entries);
        assertEquals(new ArrayList<>(entries.keySet()), put.keys());
        assertEquals(41, put.succeeded().size(), put.toString());
        assertFalse(put.allSucceeded());
        assertTrue(put.failure("x".repeat(1025)).orElseThrow()
                instanceof InvalidRequestException);

        List<String> keys = List.of("k3", "nope", "k3", "k40");
        BatchResult<GetResult> got = client.getAll(keys);
        assertEquals(List.of("k3", "nope", "k40"), got.keys(), "each key once, in order");
        assertTrue(got.allSucceeded(), got.toString());
        assertEquals("v3", got.result("k3").orElseThrow().valueUtf8());
        assertFalse(got.result("nope").orElseThrow().found());
        assertEquals("v40", got.result("k40").orElseThrow().valueUtf8());
    }

    @Test
    void aBatchBeyondTheBoundIsRefusedWholeAndSendsNothing() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i <= GtStoreClient.BATCH_KEYS_MAX; i++) {
            keys.add("k" + i);
        }
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> client.getAll(keys));
        assertTrue(e.getMessage().contains("at most " + GtStoreClient.BATCH_KEYS_MAX),
                e.getMessage());
        assertEquals(0, servers.stream().mapToInt(s -> s.gets.size()).sum());
    }
}
