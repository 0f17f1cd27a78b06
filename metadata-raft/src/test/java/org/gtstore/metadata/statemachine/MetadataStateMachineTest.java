package org.gtstore.metadata.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.gtstore.metadata.command.ChainPlacement;
import org.gtstore.metadata.command.Fixtures;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.MetaCommandReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Ratis adapter on its own, driven with hand-made log entries: validation before the log,
 * apply, listeners, and snapshot -> restore through the real takeSnapshot and initialize.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class MetadataStateMachineTest {

    private static final RaftGroupId GROUP = RaftGroupId.randomId();

    @TempDir
    Path dir;

    private long index;

    @Test
    void appliesCommandsNotifiesListenersAndRoundTripsThroughASnapshot() throws Exception {
        MetadataStateMachine sm = newStateMachine(dir.resolve("a"));
        List<Long> heard = new ArrayList<>();
        sm.addListener(m -> heard.add(m.epoch()));
        for (MetaCommand c : commands()) {
            assertEquals(ErrorCode.OK, apply(sm, c).getCode());
        }
        ClusterState applied = sm.current().state();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), heard);
        assertEquals(index, sm.getLastAppliedTermIndex().getIndex());

        long snapshotIndex = sm.takeSnapshot();
        assertEquals(index, snapshotIndex);
        File file = sm.getLatestSnapshot().getFiles().get(0).getPath().toFile();
        assertEquals(true, new File(file.getPath() + ".md5").exists());

        MetadataStateMachine restored = newStateMachineOn(sm);
        assertEquals(applied, restored.current().state());
        assertEquals(sm.getLastAppliedTermIndex(), restored.getLastAppliedTermIndex());
    }

    @Test
    void invalidCommandIsRejectedBeforeTheLogAndStaleOneLeavesStateUnchanged()
            throws Exception {
        MetadataStateMachine sm = newStateMachine(dir.resolve("b"));
        MetaCommand register = Fixtures.register("server1", 1, "d1");
        TransactionContext trx = sm.startTransaction(request(register));
        assertInstanceOf(CommandRejectedException.class, trx.getException());
        assertNull(sm.startTransaction(request(Fixtures.init(1, 4, 1))).getException());

        apply(sm, Fixtures.init(1, 4, 1));
        ClusterState before = sm.current().state();
        MetaCommandReply reply = apply(sm, Fixtures.init(1, 4, 1));
        assertEquals(ErrorCode.INVALID_ARGUMENT, reply.getCode());
        assertEquals(before, sm.current().state());
        assertEquals(index, sm.getLastAppliedTermIndex().getIndex());
    }

    @Test
    void pauseAndReinitializeReloadTheInstalledSnapshot() throws Exception {
        MetadataStateMachine sm = newStateMachine(dir.resolve("c"));
        for (MetaCommand c : commands()) {
            apply(sm, c);
        }
        sm.takeSnapshot();
        ClusterState snapshotted = sm.current().state();
        apply(sm, Fixtures.register("server9", 1, "d9"));
        sm.pause();
        assertEquals(LifeCycle.State.PAUSED, sm.getLifeCycleState());
        sm.reinitialize();
        assertEquals(LifeCycle.State.RUNNING, sm.getLifeCycleState());
        assertEquals(snapshotted, sm.current().state());
    }

    private List<MetaCommand> commands() {
        List<MetaCommand> out = new ArrayList<>();
        out.add(Fixtures.init(2, 8, 3));
        ClusterState s = Fixtures.apply(ClusterState.EMPTY, out.get(0));
        for (int i = 1; i <= 3; i++) {
            out.add(Fixtures.register("server" + i, 1, "d" + i));
            s = Fixtures.apply(s, out.get(out.size() - 1));
        }
        out.add(MetaCommand.newBuilder().setAssign(ChainPlacement.assignCommand(
                List.of("server1", "server2", "server3"), 8, 2, s.epoch())).build());
        return out;
    }

    private MetaCommandReply apply(MetadataStateMachine sm, MetaCommand cmd) throws Exception {
        index++;
        LogEntryProto entry = LogEntryProto.newBuilder().setTerm(1).setIndex(index)
                .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
                        .setLogData(UnsafeByteOperations.unsafeWrap(cmd.toByteArray())))
                .build();
        TransactionContext trx = TransactionContext.newBuilder().setStateMachine(sm)
                .setLogEntry(entry).build();
        Message m = sm.applyTransaction(trx).get();
        return MetaCommandReply.parseFrom(m.getContent().toByteArray());
    }

    private static RaftClientRequest request(MetaCommand cmd) {
        return RaftClientRequest.newBuilder().setClientId(ClientId.randomId())
                .setServerId(RaftPeerId.valueOf("t")).setGroupId(GROUP).setCallId(1)
                .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(cmd.toByteArray())))
                .setType(RaftClientRequest.writeRequestType()).build();
    }

    private MetadataStateMachine storages(Path storageDir, MetadataStateMachine sm)
            throws Exception {
        RaftStorage storage = RaftStorage.newBuilder().setDirectory(storageDir.toFile())
                .setOption(RaftStorage.StartupOption.RECOVER)
                .setStorageFreeSpaceMin(org.apache.ratis.util.SizeInBytes.ONE_KB).build();
        storage.initialize();
        lastStorage = storage;
        sm.initialize(fakeServer(), GROUP, storage);
        return sm;
    }

    private Path lastDir;
    private RaftStorage lastStorage;

    /** Only getId() is used by BaseStateMachine outside a running server. */
    private static org.apache.ratis.server.RaftServer fakeServer() {
        return (org.apache.ratis.server.RaftServer) java.lang.reflect.Proxy.newProxyInstance(
                MetadataStateMachineTest.class.getClassLoader(),
                new Class<?>[] {org.apache.ratis.server.RaftServer.class}, (proxy, m, args) -> {
                    if (m.getName().equals("getId")) {
                        return RaftPeerId.valueOf("test");
                    }
                    if (m.getName().equals("toString")) {
                        return "fake-server";
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    private MetadataStateMachine newStateMachine(Path storageDir) throws Exception {
        lastDir = storageDir;
        MetadataStateMachine sm = storages(storageDir, new MetadataStateMachine("test"));
        assertNotNull(sm.getStateMachineStorage());
        return sm;
    }

    private MetadataStateMachine newStateMachineOn(MetadataStateMachine old) throws Exception {
        old.close();
        lastStorage.close();
        return storages(lastDir, new MetadataStateMachine("restored"));
    }
}
