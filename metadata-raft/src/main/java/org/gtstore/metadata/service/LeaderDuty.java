package org.gtstore.metadata.service;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.MetaCommandReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's duty thread and its commands: every decision that leads to a log command runs as
 * one task on the duty executor and waits there until its command applied (or failed), so the
 * leader never races itself. Shared by the parts of {@link MetadataLeader}.
 */
final class LeaderDuty {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderDuty.class);

    private final String nodeId;
    private final CommandSubmitter submitter;
    private final long commandTimeoutMs;
    private final Executor duty;
    private final Supplier<ClusterState> state;

    LeaderDuty(String nodeId, CommandSubmitter submitter, long commandTimeoutMs, Executor duty,
            Supplier<ClusterState> state) {
        this.nodeId = nodeId;
        this.submitter = submitter;
        this.commandTimeoutMs = commandTimeoutMs;
        this.duty = duty;
        this.state = state;
    }

    /** Runs {@code task} on the duty thread, after the tasks queued before it. */
    <T> CompletableFuture<T> run(Supplier<T> task) {
        return CompletableFuture.supplyAsync(task, duty);
    }

    /** Submits and waits (on the duty thread) until the command applied or failed. */
    MetaCommandReply submit(MetaCommand cmd) {
        try {
            MetaCommandReply reply = submitter.submit(cmd)
                    .get(commandTimeoutMs, TimeUnit.MILLISECONDS);
            if (reply.getCode() != ErrorCode.OK) {
                LOG.warn("[{}] {} not applied: {} {}", nodeId, cmd.getCommandCase(),
                        reply.getCode(), reply.getMessage());
            }
            return reply;
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warn("[{}] {} timed out after {} ms", nodeId, cmd.getCommandCase(),
                    commandTimeoutMs);
            return reply(ErrorCode.TIMEOUT, cmd.getCommandCase() + " timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return reply(ErrorCode.UNAVAILABLE, "interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("submitter broke its contract", e.getCause());
        }
    }

    /** A reply that no command produced, at the applied state's epoch. */
    MetaCommandReply reply(ErrorCode code, String message) {
        return MetaCommandReply.newBuilder().setCode(code).setMessage(message)
                .setEpoch(state.get().epoch()).build();
    }
}
