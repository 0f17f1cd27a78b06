package org.gtstore.metadata.statemachine;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.gtstore.metadata.command.Commands;
import org.gtstore.metadata.command.Outcome;
import org.gtstore.metadata.command.Rejection;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.proto.DurableFiles;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.MetaCommandReply;
import org.gtstore.proto.PartitionMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis adapter around {@link Commands}: every log entry is one {@link MetaCommand}.
 * <ul>
 *   <li>{@code startTransaction} validates on the leader, so a bad command never reaches the
 *       log;</li>
 *   <li>{@code applyTransaction} is deterministic (no clock, IO or randomness), records the
 *       applied TermIndex and answers with a {@code MetaCommandReply};</li>
 *   <li>snapshots are one file holding the {@code PartitionMap}, with an MD5 beside it;</li>
 *   <li>the lifecycle follows RUNNING -> PAUSED -> RUNNING around an InstallSnapshot, which
 *       Ratis asserts (RATIS.md pitfall 2);</li>
 *   <li>a {@code ConfirmLeadership} entry changes nothing (see {@code LeadershipCheck});</li>
 *   <li>{@code query} answers with the applied {@code PartitionMap}.</li>
 * </ul>
 * Listeners (the watch streams) hear about every new map on the apply thread and must not
 * block.
 */
public final class MetadataStateMachine extends BaseStateMachine {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataStateMachine.class);

    private final String nodeId;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final List<Consumer<AppliedMap>> listeners = new CopyOnWriteArrayList<>();
    private volatile AppliedMap current = AppliedMap.of(ClusterState.EMPTY, -1);
    private volatile boolean leader;

    public MetadataStateMachine(String nodeId) {
        this.nodeId = nodeId;
    }

    /** The latest applied map; any thread may call it. */
    public AppliedMap current() {
        return current;
    }

    /** Registers a listener for every newly applied map; it must not block. */
    public void addListener(Consumer<AppliedMap> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<AppliedMap> listener) {
        listeners.remove(listener);
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
            throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        load(storage.loadLatestSnapshot());
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    /** Ratis pauses before installing a snapshot and asserts PAUSED in its reload. */
    @Override
    public void pause() {
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /** Reloads from the newest snapshot on disk (the one just installed), then runs again. */
    @Override
    public void reinitialize() throws IOException {
        load(storage.loadLatestSnapshot());
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        byte[] bytes = request.getMessage().getContent().toByteArray();
        TransactionContext trx = TransactionContext.newBuilder().setStateMachine(this)
                .setClientRequest(request).setLogData(request.getMessage().getContent())
                .build();
        Optional<Rejection> rejection;
        try {
            rejection = Commands.validate(current.state(), MetaCommand.parseFrom(bytes));
        } catch (IOException e) {
            return trx.setException(new CommandRejectedException(
                    new Rejection(org.gtstore.proto.ErrorCode.INVALID_ARGUMENT,
                            "malformed command: " + e.getMessage())));
        }
        if (rejection.isPresent()) {
            LOG.debug("[{}] rejected before the log: {}", nodeId, rejection.get());
            trx.setException(new CommandRejectedException(rejection.get()));
        }
        return trx;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        MetaCommand cmd;
        try {
            cmd = MetaCommand.parseFrom(
                    entry.getStateMachineLogEntry().getLogData().toByteArray());
        } catch (IOException e) {
            throw new IllegalStateException("[" + nodeId + "] unparsable log entry at index "
                    + entry.getIndex(), e);
        }
        updateLastAppliedTermIndex(TermIndex.valueOf(entry));
        if (cmd.hasConfirm()) {
            current = new AppliedMap(current.state(), current.map(), entry.getIndex());
            return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations
                    .unsafeWrap(MetaCommandReply.newBuilder().setCode(ErrorCode.OK)
                            .setEpoch(current.epoch()).build().toByteArray())));
        }
        Outcome outcome = Commands.apply(current.state(), cmd);
        if (outcome.changed()) {
            publish(current.next(outcome.state(), entry.getIndex()));
            logApplied(outcome.state());
        } else {
            current = new AppliedMap(current.state(), current.map(), entry.getIndex());
            LOG.info("[{}] log index {} left the map at epoch {}: {}", nodeId, entry.getIndex(),
                    current.epoch(), outcome.reply().getMessage());
        }
        return CompletableFuture.completedFuture(Message.valueOf(
                UnsafeByteOperations.unsafeWrap(outcome.reply().toByteArray())));
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        return CompletableFuture.completedFuture(Message.valueOf(
                UnsafeByteOperations.unsafeWrap(current.map().toByteArray())));
    }

    @Override
    public long takeSnapshot() throws IOException {
        AppliedMap snapshot = current;
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        writeSnapshotFile(snapshot.map(), file);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5),
                last));
        LOG.info("[{}] snapshot at {} (map epoch {}) written to {}", nodeId, last,
                snapshot.epoch(), file);
        return last.getIndex();
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId memberId, RaftPeerId newLeaderId) {
        leader = memberId.getPeerId().equals(newLeaderId);
        LOG.info("[{}] leader is now {}", nodeId, newLeaderId);
    }

    /**
     * Says how long after winning its election this member's first entry of the term
     * committed: a leader that takes longer than the election timeout steps down again for
     * want of a majority's answers.
     */
    @Override
    public void notifyLeaderReady() {
        try {
            long ms = getServer().get().getDivision(getGroupId()).getInfo().getRoleInfoProto()
                    .getRoleElapsedTimeMs();
            LOG.info("[{}] leading and ready {} ms after the election", nodeId, ms);
        } catch (IOException | java.util.concurrent.ExecutionException e) {
            LOG.info("[{}] leading and ready", nodeId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void load(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            LOG.info("[{}] no snapshot; starting from an empty map", nodeId);
            return;
        }
        File file = snapshot.getFile().getPath().toFile();
        if (snapshot.getFile().getFileDigest() != null) {
            MD5FileUtil.verifySavedMD5(file, snapshot.getFile().getFileDigest());
        }
        TermIndex termIndex = SimpleStateMachineStorage.getTermIndexFromSnapshotFile(file);
        ClusterState state = ClusterState.fromProto(readSnapshotFile(file));
        setLastAppliedTermIndex(termIndex);
        publish(AppliedMap.of(state, termIndex.getIndex()));
        LOG.info("[{}] loaded snapshot {} at {}: map epoch {}", nodeId, file.getName(),
                termIndex, state.epoch());
    }

    private void publish(AppliedMap next) {
        current = next;
        for (Consumer<AppliedMap> l : listeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                LOG.warn("[{}] map listener failed at epoch {}", nodeId, next.epoch(), e);
            }
        }
    }

    private void logApplied(ClusterState state) {
        if (leader) {
            LOG.info("[{}] map epoch={} applied: {}", nodeId, state.epoch(), state.cause());
        } else {
            LOG.debug("[{}] map epoch={} applied: {}", nodeId, state.epoch(), state.cause());
        }
    }

    /**
     * Writes the snapshot durably: Ratis purges the log entries a snapshot covers, so a snapshot
     * lost in a power cut would lose the map.
     */
    static void writeSnapshotFile(PartitionMap map, File file) throws IOException {
        DurableFiles.replace(file.toPath(), map.toByteArray());
    }

    static PartitionMap readSnapshotFile(File file) throws IOException {
        return PartitionMap.parseFrom(Files.readAllBytes(file.toPath()));
    }
}
