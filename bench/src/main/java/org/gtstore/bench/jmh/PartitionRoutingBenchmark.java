package org.gtstore.bench.jmh;

import com.google.protobuf.ByteString;
import java.util.concurrent.TimeUnit;
import org.gtstore.bench.loadbalance.HeadCounter;
import org.gtstore.bench.workload.KeySpace;
import org.gtstore.proto.Chain;
import org.gtstore.proto.ClusterSettings;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of routing one request: the key's partition ({@link KeyPartitioner}, over the 16-byte
 * benchmark keys, as {@code byte[]} on the client and as a {@code ByteString} on the server) and
 * the partition's head from the map, both straight from the protobuf map and from a
 * precomputed array as a route table would hold it.
 *
 * <p>Every call routes the next of 4,096 keys, so the branch predictor and caches see a
 * realistic spread rather than one key. Run with
 * {@code java -jar bench/target/gtstore-bench.jar PartitionRouting} (see bench/README.md).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m"})
@State(Scope.Thread)
public class PartitionRoutingBenchmark {
    private static final int KEYS = 4096;
    private static final int SERVERS = 7;

    @Param({"1024"})
    public int partitions;

    @Param({"3"})
    public int replication;

    private byte[][] keys;
    private ByteString[] keyStrings;
    private KeyPartitioner partitioner;
    private PartitionMap map;
    private HeadCounter routeTable;
    private int next;

    @Setup
    public void setUp() {
        KeySpace space = new KeySpace(1, KEYS);
        keys = new byte[KEYS][];
        keyStrings = new ByteString[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = space.key(i);
            keyStrings[i] = ByteString.copyFrom(keys[i]);
        }
        partitioner = new KeyPartitioner(partitions);
        map = syntheticMap(partitions, replication);
        routeTable = new HeadCounter(map);
    }

    /** A map of {@code partitions} chains over 7 servers, heads spread round-robin. */
    static PartitionMap syntheticMap(int partitions, int replication) {
        PartitionMap.Builder map = PartitionMap.newBuilder().setEpoch(1).setSettings(
                ClusterSettings.newBuilder().setPartitions(partitions).setReplication(replication)
                        .setInitialServers(SERVERS));
        for (int s = 1; s <= SERVERS; s++) {
            map.addServers(ServerInfo.newBuilder().setId("server" + s)
                    .setAddress("127.0.0.1:" + (40010 + s)).setState(ServerState.ALIVE));
        }
        for (int p = 0; p < partitions; p++) {
            Chain.Builder chain = Chain.newBuilder().setPartition(p).setEpoch(1);
            for (int r = 0; r < replication; r++) {
                chain.addReplicas("server" + ((p + r) % SERVERS + 1));
            }
            map.addChains(chain);
        }
        return map.build();
    }

    private int nextKey() {
        int i = next;
        next = (i + 1) & (KEYS - 1);
        return i;
    }

    @Benchmark
    public long hash64() {
        return KeyPartitioner.hash64(keys[nextKey()]);
    }

    @Benchmark
    public int partitionOfBytes() {
        return partitioner.partitionOf(keys[nextKey()]);
    }

    @Benchmark
    public int partitionOfByteString() {
        return partitioner.partitionOf(keyStrings[nextKey()]);
    }

    /** Partition, then the head read from the protobuf map as it arrives from the metadata. */
    @Benchmark
    public String headFromProtoMap() {
        int partition = partitioner.partitionOf(keys[nextKey()]);
        return map.getChains(partition).getReplicas(0);
    }

    /** Partition, then the head from a precomputed per-partition array. */
    @Benchmark
    public String headFromRouteTable() {
        return routeTable.headOf(keys[nextKey()]);
    }
}
