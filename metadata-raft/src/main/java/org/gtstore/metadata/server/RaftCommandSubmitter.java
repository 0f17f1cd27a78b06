package org.gtstore.metadata.server;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.gtstore.metadata.service.CommandSubmitter;
import org.gtstore.proto.ConfirmLeadership;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.MetaCommandReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits commands straight to this member's Raft server, without a RaftClient: only the
 * leader proposes, and a member that lost leadership must not have its (possibly stale)
 * decision forwarded to the new leader by a client's retry. There is therefore no retry here
 * at all (RATIS.md pitfall 3); the leader's next tick recomputes instead.
 */
final class RaftCommandSubmitter implements CommandSubmitter {

    private static final Logger LOG = LoggerFactory.getLogger(RaftCommandSubmitter.class);
    private static final MetaCommand CONFIRM = MetaCommand.newBuilder()
            .setConfirm(ConfirmLeadership.getDefaultInstance()).build();

    private final RaftServer server;
    private final RaftGroupId groupId;
    private final RaftPeerId selfId;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callId = new AtomicLong();
    /** Told the proposal time of every command that committed here with OK. */
    private volatile LongConsumer committed = proposedNanos -> { };

    RaftCommandSubmitter(RaftServer server, RaftGroupId groupId, RaftPeerId selfId) {
        this.server = server;
        this.groupId = groupId;
        this.selfId = selfId;
    }

    /**
     * Every command that commits with OK from now on is reported with the
     * {@link System#nanoTime} at which it was proposed: its commit proves this member led a
     * majority after that moment (see {@code LeadershipConfirmer#committed}).
     */
    void onCommitted(LongConsumer listener) {
        committed = listener;
    }

    @Override
    public CompletableFuture<MetaCommandReply> submit(MetaCommand command) {
        RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(clientId)
                .setServerId(selfId).setGroupId(groupId).setCallId(callId.incrementAndGet())
                .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(
                        command.toByteArray())))
                .setType(RaftClientRequest.writeRequestType()).build();
        long proposedNanos = System.nanoTime();
        try {
            return server.submitClientRequestAsync(request)
                    .thenApply(raw -> {
                        MetaCommandReply reply = toReply(raw);
                        if (reply.getCode() == ErrorCode.OK) {
                            committed.accept(proposedNanos);
                        }
                        return reply;
                    })
                    .exceptionally(t -> failure(ErrorCode.UNAVAILABLE, t.toString()));
        } catch (IOException e) {
            return CompletableFuture.completedFuture(failure(ErrorCode.UNAVAILABLE,
                    e.toString()));
        }
    }

    /**
     * Commits a ConfirmLeadership entry: true once it applied here, which proves this member
     * led a majority at a moment after the call. (A Raft ReadIndex would be cheaper, but Ratis
     * answers it at once when a majority acknowledged the current commit index earlier, even
     * long before the call, so it proves nothing about the moment after it.)
     */
    CompletableFuture<Boolean> confirmLeadership() {
        return submit(CONFIRM).thenApply(r -> r.getCode() == ErrorCode.OK);
    }

    private static MetaCommandReply toReply(RaftClientReply reply) {
        if (reply.isSuccess()) {
            try {
                return MetaCommandReply.parseFrom(
                        reply.getMessage().getContent().toByteArray());
            } catch (IOException e) {
                return failure(ErrorCode.INTERNAL, "unparsable reply: " + e);
            }
        }
        RaftException e = reply.getException();
        if (e instanceof NotLeaderException) {
            return failure(ErrorCode.NOT_LEADER, e.getMessage());
        }
        String message = e == null ? "unknown failure" : e.getMessage();
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof org.gtstore.metadata.statemachine.CommandRejectedException r) {
                return failure(r.rejection().code(), r.rejection().message());
            }
        }
        LOG.debug("command failed: {}", message);
        return failure(codeIn(message), message);
    }

    /** A rejection's message starts with its code's name (see Rejection.toString). */
    private static ErrorCode codeIn(String message) {
        for (ErrorCode code : ErrorCode.values()) {
            if (code != ErrorCode.UNRECOGNIZED && code != ErrorCode.OK && message != null
                    && message.contains(code.name() + ":")) {
                return code;
            }
        }
        return ErrorCode.UNAVAILABLE;
    }

    private static MetaCommandReply failure(ErrorCode code, String message) {
        return MetaCommandReply.newBuilder().setCode(code).setMessage(String.valueOf(message))
                .build();
    }
}
