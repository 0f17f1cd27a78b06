package org.gtstore.metadata.command;

import java.util.ArrayList;
import java.util.List;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.metadata.model.ServerEntry;
import org.gtstore.proto.ClusterSettings;
import org.gtstore.proto.CopyEntry;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.FinishCopy;
import org.gtstore.proto.InitCluster;
import org.gtstore.proto.MarkDead;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.PartitionTip;
import org.gtstore.proto.RecordTips;
import org.gtstore.proto.RegisterServer;
import org.gtstore.proto.StartCopy;

/** Builds states by applying real commands, so tests start from states the log can produce. */
public final class Fixtures {

    private Fixtures() {
    }

    public static MetaCommand init(int k, int partitions, int initialServers) {
        return MetaCommand.newBuilder().setInit(InitCluster.newBuilder().setSettings(
                ClusterSettings.newBuilder().setReplication(k).setPartitions(partitions)
                        .setInitialServers(initialServers))).build();
    }

    public static MetaCommand register(String id, long incarnation, String storageId) {
        return MetaCommand.newBuilder().setRegister(RegisterServer.newBuilder().setServerId(id)
                .setAddress("127.0.0.1:" + (7000 + id.hashCode() % 1000))
                .setIncarnation(incarnation).setStorageId(storageId)).build();
    }

    public static MetaCommand markDead(ClusterState state, String id) {
        ServerEntry s = state.server(id).orElseThrow();
        return MetaCommand.newBuilder().setMarkDead(MarkDead.newBuilder().setServerId(id)
                .setIncarnation(s.incarnation()).setReason("test")).build();
    }

    public static CopyEntry entry(int partition, String serverId) {
        return CopyEntry.newBuilder().setPartition(partition).setServerId(serverId).build();
    }

    /** A StartCopy of one entry, expecting the state's epoch. */
    public static MetaCommand startCopy(ClusterState state, int partition, String serverId) {
        return MetaCommand.newBuilder().setStartCopy(StartCopy.newBuilder()
                .setExpectedEpoch(state.epoch()).addEntries(entry(partition, serverId))).build();
    }

    /** A FinishCopy of the partition's joining replica, expecting the state's epoch. */
    public static MetaCommand finishCopy(ClusterState state, int partition) {
        return MetaCommand.newBuilder().setFinishCopy(FinishCopy.newBuilder()
                .setExpectedEpoch(state.epoch())
                .addEntries(entry(partition, state.chain(partition).joining()))).build();
    }

    /** Applies a command that must succeed. */
    public static ClusterState apply(ClusterState state, MetaCommand cmd) {
        Outcome o = Commands.apply(state, cmd);
        if (o.reply().getCode() != ErrorCode.OK) {
            throw new AssertionError("rejected " + cmd + ": " + o.reply().getMessage());
        }
        return o.state();
    }

    /** The storage id {@link #registered} gives server {@code serverId} ("serverI" -> "disk-I"). */
    public static String disk(String serverId) {
        return "disk-" + serverId.substring("server".length());
    }

    /** Servers server1..serverN registered (storage "disk-i"), not yet assigned. */
    public static ClusterState registered(int n, int k, int partitions) {
        ClusterState s = apply(ClusterState.EMPTY, init(k, partitions, n));
        for (int i = 1; i <= n; i++) {
            s = apply(s, register("server" + i, 1, "disk-" + i));
        }
        return s;
    }

    /** {@link #registered} plus the first assignment. */
    public static ClusterState assigned(int n, int k, int partitions) {
        ClusterState s = registered(n, k, partitions);
        List<String> ids = new ArrayList<>(s.servers().keySet());
        return apply(s, MetaCommand.newBuilder().setAssign(
                ChainPlacement.assignCommand(ids, partitions, k, s.epoch())).build());
    }

    /** One FinishCopy for every joining replica (the state itself if there is none). */
    public static ClusterState finishAllCopies(ClusterState state) {
        FinishCopy.Builder finish = FinishCopy.newBuilder().setExpectedEpoch(state.epoch());
        for (PartitionChain c : state.chains()) {
            if (c.hasJoining()) {
                finish.addEntries(entry(c.partition(), c.joining()));
            }
        }
        if (finish.getEntriesCount() == 0) {
            return state;
        }
        return apply(state, MetaCommand.newBuilder().setFinishCopy(finish).build());
    }

    /** The server's tip of the partition, in the chain epoch the state shows. */
    public static MetaCommand tips(ClusterState s, String server, int partition, long branch,
                                   long seq) {
        return tips(s, server, partition, branch, seq, false);
    }

    public static MetaCommand tips(ClusterState s, String server, int partition, long branch,
                                   long seq, boolean incomplete) {
        return MetaCommand.newBuilder().setRecordTips(RecordTips.newBuilder().setServerId(server)
                .setIncarnation(s.server(server).orElseThrow().incarnation())
                .addTips(PartitionTip.newBuilder().setPartition(partition)
                        .setChainEpoch(s.chain(partition).epoch()).setBranch(branch).setSeq(seq)
                        .setIncomplete(incomplete))).build();
    }

    /** The command is refused with {@code code} and changes nothing. */
    public static void assertRejected(ClusterState s, MetaCommand cmd, ErrorCode code) {
        Outcome o = Commands.apply(s, cmd);
        if (o.reply().getCode() != code || !o.state().equals(s)) {
            throw new AssertionError("expected " + code + " and no change, got "
                    + o.reply().getCode() + ": " + o.reply().getMessage());
        }
    }
}
