package org.gtstore.dataserver.jmh;

import com.google.protobuf.ByteString;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gtstore.dataserver.chain.ChainEvent;
import org.gtstore.dataserver.chain.ChainReplica;
import org.gtstore.dataserver.chain.ChainReplicaConfig;
import org.gtstore.dataserver.chain.ClientReply;
import org.gtstore.dataserver.chain.Ready;
import org.gtstore.proto.Chain;
import org.gtstore.proto.ClusterSettings;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The chain protocol's own cost, without store or network: a K=1 replica (head and tail of all
 * 1024 partitions) steps a driver pass of {@value #BATCH} client puts or gets, builds its
 * {@link Ready} (the writes, dedup entries, applied seqs and replies) and is told the pass is
 * durable, as {@code ReplicaDriver} does. Per operation.
 *
 * <p>Run with {@code scripts/jmh ChainStep} (see bench/README.md).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-XX:+UseSerialGC"})
@State(Scope.Thread)
public class ChainStepBenchmark {
    static final int BATCH = 8;
    private static final int PARTITIONS = 1024;
    private static final int KEYS = 4096;
    private static final String SELF = "server1";
    private static final String CLIENT = "7f1c2a9e-5b3d-4c8e-9a61-0d2f4b6e8a10";

    private ChainReplica replica;
    private PutRequest[] puts;
    private GetRequest[] gets;
    private int next;
    private long token;
    private long requestId;

    @Setup
    public void setUp() {
        replica = new ChainReplica(SELF, ChainReplicaConfig.defaults(), Map.of());
        PartitionMap.Builder m = PartitionMap.newBuilder().setEpoch(1)
                .setSettings(ClusterSettings.newBuilder().setPartitions(PARTITIONS)
                        .setReplication(1))
                .addServers(ServerInfo.newBuilder().setId(SELF).setState(ServerState.ALIVE));
        for (int p = 0; p < PARTITIONS; p++) {
            m.addChains(Chain.newBuilder().setPartition(p).addReplicas(SELF).setEpoch(1));
        }
        replica.step(new ChainEvent.MapChanged(m.build()));
        replica.step(new ChainEvent.LeaseChanged(true));
        drain();
        byte[][] space = BenchKeys.keys(KEYS);
        KeyPartitioner partitioner = new KeyPartitioner(PARTITIONS);
        ByteString value = ByteString.copyFrom(new byte[32]);
        puts = new PutRequest[KEYS];
        gets = new GetRequest[KEYS];
        for (int i = 0; i < KEYS; i++) {
            ByteString k = ByteString.copyFrom(space[i]);
            int p = partitioner.partitionOf(k);
            puts[i] = PutRequest.newBuilder().setEpoch(1).setPartition(p).setKey(k)
                    .setValue(value).setClientId(CLIENT).build();
            gets[i] = GetRequest.newBuilder().setEpoch(1).setPartition(p).setKey(k).build();
        }
        // Measure the real paths, not a refusal: a pass of puts writes each one, a pass of gets
        // reads each one locally.
        Ready w = passOfPuts();
        Ready r = passOfGets();
        if (w.writes().size() != BATCH
                || r.replies().stream().filter(c -> c instanceof ClientReply.LocalRead).count()
                        != BATCH) {
            throw new IllegalStateException("the replica refused the benchmark's requests: "
                    + w.replies() + " " + r.replies());
        }
    }

    private Ready drain() {
        Ready r = replica.ready();
        replica.step(new ChainEvent.PersistDone());
        return r;
    }

    /** A pass of puts: admit, sequence, dedup-record, apply, build the Ready, persist done. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Ready passOfPuts() {
        for (int n = 0; n < BATCH; n++) {
            PutRequest p = puts[next++ & (KEYS - 1)].toBuilder().setRequestId(++requestId)
                    .build();
            replica.step(new ChainEvent.ClientPut(p, ++token, 0));
        }
        return drain();
    }

    /** A pass of gets at the tail: admit and hand back a local read per get. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Ready passOfGets() {
        for (int n = 0; n < BATCH; n++) {
            replica.step(new ChainEvent.ClientGet(gets[next++ & (KEYS - 1)], ++token));
        }
        return drain();
    }
}
