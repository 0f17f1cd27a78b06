package org.gtstore.bench.ycsb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The binding's record format, the workload definitions and the report parser. */
class YcsbPartsTest {

    @Test
    void aRecordRoundTripsWithItsFieldsInOrder() {
        Map<String, byte[]> fields = new LinkedHashMap<>();
        fields.put("field0", "hello".getBytes(StandardCharsets.UTF_8));
        fields.put("field1", new byte[0]);
        fields.put("fïeld2", new byte[] {0, -1, 7});
        Map<String, byte[]> back = RecordCodec.decode(RecordCodec.encode(fields));
        assertEquals(List.copyOf(fields.keySet()), List.copyOf(back.keySet()));
        fields.forEach((k, v) -> assertArrayEquals(v, back.get(k), k));
        assertThrows(IllegalArgumentException.class, () -> RecordCodec.decode(new byte[] {1}));
    }

    @Test
    void theSixWorkloadsHaveYcsbsMixes() {
        assertEquals("0.5", YcsbWorkloads.of("a").getProperty("updateproportion"));
        assertEquals("latest", YcsbWorkloads.of("d").getProperty("requestdistribution"));
        assertEquals("0.95", YcsbWorkloads.of("E").getProperty("scanproportion"));
        assertEquals("0.5", YcsbWorkloads.of("f").getProperty("readmodifywriteproportion"));
        for (String w : YcsbWorkloads.ALL) {
            double sum = 0;
            for (String mix : List.of("read", "update", "scan", "insert", "readmodifywrite")) {
                sum += Double.parseDouble(YcsbWorkloads.of(w).getProperty(mix + "proportion"));
            }
            assertEquals(1.0, sum, 1e-9, w);
        }
        assertThrows(IllegalArgumentException.class, () -> YcsbWorkloads.of("g"));
    }

    @Test
    void aReportGivesThroughputAndPerOperationLatenciesAndFailures() {
        String report = String.join("\n",
                "[OVERALL], RunTime(ms), 5182",
                "[OVERALL], Throughput(ops/sec), 964.9",
                "[TOTAL_GCs], Count, 12",
                "[CLEANUP], Operations, 32",
                "[READ], Operations, 2525",
                "[READ], AverageLatency(us), 5820.5",
                "[READ], 95thPercentileLatency(us), 21071",
                "[READ], 99thPercentileLatency(us), 52319",
                "[READ], Return=OK, 2520",
                "[READ], Return=NOT_FOUND, 5",
                "[UPDATE-FAILED], Operations, 1",
                "[UPDATE], Operations, 2474",
                "[UPDATE], Return=OK, 2474",
                "[UPDATE], Return=ERROR, 1");
        YcsbPhase p = YcsbPhase.parse("a", "run", report);
        assertEquals(964.9, p.opsPerSec(), 1e-9);
        assertEquals(5182, p.runtimeMs());
        assertEquals(List.of("READ", "UPDATE"), List.copyOf(p.ops().keySet()));
        assertEquals(new YcsbPhase.OpStats(2525, 5820.5, 21071, 52319, 0),
                p.ops().get("READ"), "NOT_FOUND is an answer");
        assertEquals(1, p.failed(), "a failed update counted once");
    }
}
