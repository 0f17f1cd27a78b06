package org.gtstore.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyPartitionerTest {

    @Test
    void hashIsPinnedForever() {
        // These values are part of the wire contract: if this test fails, existing clusters
        // would route keys to the wrong partitions.
        assertEquals(0xefd01f60ba992926L, KeyPartitioner.hash64(utf8("")));
        assertEquals(0xdde145d7536e77b8L, KeyPartitioner.hash64(utf8("key1")));
        assertEquals(0x7c6d8c019b6ee5d5L, KeyPartitioner.hash64(utf8("hello world")));
        assertEquals(0x590520d718275ed5L, KeyPartitioner.hash64(utf8("ключ")));
        KeyPartitioner p = new KeyPartitioner(1024);
        assertEquals(952, p.partitionOf(utf8("key1")));
        assertEquals(725, p.partitionOf(utf8("ключ")));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void byteStringAndArrayAgree() {
        KeyPartitioner p = new KeyPartitioner(1024);
        for (int i = 0; i < 10_000; i++) {
            byte[] key = ("key-" + i + "-ü").getBytes(StandardCharsets.UTF_8);
            assertEquals(p.partitionOf(key), p.partitionOf(ByteString.copyFrom(key)));
        }
    }

    @Test
    void spreadsSequentialKeysEvenly() {
        int partitions = 256;
        KeyPartitioner p = new KeyPartitioner(partitions);
        int[] counts = new int[partitions];
        int keys = 256_000;
        for (int i = 0; i < keys; i++) {
            counts[p.partitionOf(("key" + i).getBytes(StandardCharsets.UTF_8))]++;
        }
        double mean = (double) keys / partitions;
        for (int c : counts) {
            // 1000 expected per partition; 6 standard deviations is about +-190.
            assertTrue(Math.abs(c - mean) < 200, "partition count " + c + " far from " + mean);
        }
    }

    @Test
    void rejectsNonPositivePartitionCount() {
        assertThrows(IllegalArgumentException.class, () -> new KeyPartitioner(0));
    }
}
