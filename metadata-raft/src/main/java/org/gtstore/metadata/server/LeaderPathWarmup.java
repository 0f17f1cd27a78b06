package org.gtstore.metadata.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the Raft leader's code once in this JVM, on a thread of its own as the member starts:
 * two throw-away Ratis servers on loopback (named {@code <id>-warmup-N}, storage in a temporary
 * directory), with the member's Raft settings, elect a leader, commit a few commands and close.
 *
 * <p>Why: a JVM that never led loads and links several hundred classes (over half of them
 * lambdas) the first time it leads. On two shared, busy cores that took Ratis 400-900 ms
 * between winning an election and sending its first entries, longer than the election timeout
 * within which Ratis's leader check wants a majority's answer, so a new leader stepped down
 * again and the group stayed without one for another election (every data server's lease
 * running out meanwhile). Once this JVM has led here, its first moments as the group's leader
 * take a few milliseconds. The classes are the JVM's, so once per JVM is enough.
 *
 * <p>A warm-up that fails (no free port, a slow machine) is logged and skipped: the member
 * then starts as it would without it.
 */
final class LeaderPathWarmup {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderPathWarmup.class);
    private static final AtomicBoolean DONE = new AtomicBoolean();
    /** Commands the throw-away leader commits. */
    static final int COMMANDS = 20;
    /** The most one warm-up may take before it is abandoned. */
    static final long TIMEOUT_MS = 15_000;
    private static final String LOOPBACK = "127.0.0.1";
    /** The throw-away group's first election: one server campaigns well before the other. */
    private static final long FIRST_ELECTION_MIN_MS = 50;

    private LeaderPathWarmup() {
    }

    /**
     * Set to false, no warm-up runs: to measure what it saves (a hand-over's "leading and
     * ready ... ms after the election" in the new leader's log) on the same build.
     */
    static final String ENABLED_PROPERTY = "gtstore.leaderWarmup";

    /**
     * Starts warming this JVM's leader path on a daemon thread, once per JVM; later calls do
     * nothing. In the background because a member's start need not wait for it: what it is
     * for, a hand-over to this member or its election after the leader's death, comes later,
     * and at a cluster's start the waiting held every member back by its few seconds.
     */
    static void startOnce(MetadataServerConfig config) {
        if (!Boolean.parseBoolean(System.getProperty(ENABLED_PROPERTY, "true"))
                || !DONE.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> warmUp(config), config.id() + "-leader-warmup");
        t.setDaemon(true);
        t.start();
    }

    /** One warm-up, logged; the throw-away servers then close on a thread of their own. */
    private static void warmUp(MetadataServerConfig config) {
        long start = System.nanoTime();
        try {
            Path dir = Files.createTempDirectory("gtstore-warmup-");
            run(config, dir).whenComplete((ok, e) -> deleteTree(dir));
            LOG.info("[{}] leader path warmed up in {} ms", config.id(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } catch (IOException | RuntimeException e) {
            LOG.info("[{}] leader path warm-up skipped: {}", config.id(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One warm-up with its Raft storage under {@code dir}; throws if it could not finish.
     * Returns once the leader committed its commands; the future completes when both servers
     * are closed (also after a failure).
     */
    static CompletableFuture<Void> run(MetadataServerConfig config, Path dir)
            throws IOException, InterruptedException {
        List<RaftServer> servers = new ArrayList<>();
        try {
            RaftGroup group = startGroup(config, dir, servers);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
            RaftServer leader = awaitLeader(servers, group.getGroupId(), deadline);
            commit(leader, group.getGroupId(), deadline);
            // The leader first: a follower closing under its appends logs their failures.
            servers.remove(leader);
            servers.add(0, leader);
        } catch (IOException | InterruptedException | RuntimeException e) {
            closeAll(config.id(), servers);
            throw e;
        }
        return closeAll(config.id(), servers);
    }

    /**
     * Starts two servers with the member's Raft settings on free loopback ports, in a group
     * of their own; only their first election waits less, as nothing is at stake.
     */
    private static RaftGroup startGroup(MetadataServerConfig config, Path dir,
            List<RaftServer> started) throws IOException {
        List<Integer> ports = List.of(freePort(), freePort());
        List<RaftPeer> peers = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            peers.add(RaftPeer.newBuilder().setId(config.id() + "-warmup-" + i)
                    .setAddress(LOOPBACK + ":" + ports.get(i)).build());
        }
        RaftGroup group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), peers);
        for (int i = 0; i < ports.size(); i++) {
            RaftPeer peer = peers.get(i);
            RaftProperties props = MetadataServer.raftProperties(config,
                    dir.resolve(peer.getId().toString()), LOOPBACK, ports.get(i));
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(props,
                    TimeDuration.valueOf(FIRST_ELECTION_MIN_MS + 50L * i, TimeUnit.MILLISECONDS));
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(props,
                    TimeDuration.valueOf(FIRST_ELECTION_MIN_MS + 50L * i + 20,
                            TimeUnit.MILLISECONDS));
            RaftServer server = RaftServer.newBuilder().setServerId(peer.getId())
                    .setGroup(group).setProperties(props).setParameters(new Parameters())
                    .setStateMachine(new Echo())
                    .setOption(RaftStorage.StartupOption.FORMAT).build();
            started.add(server);
            server.start();
        }
        return group;
    }

    /** Closes the servers in order on a thread of their own; completes when all are closed. */
    private static CompletableFuture<Void> closeAll(String memberId, List<RaftServer> servers) {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            for (RaftServer s : servers) {
                try {
                    s.close();
                } catch (IOException | RuntimeException e) {
                    LOG.debug("[{}] closing a warm-up server: {}", memberId, e.toString());
                }
            }
            closed.complete(null);
        }, memberId + "-warmup-close");
        t.setDaemon(true);
        t.start();
        return closed;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return s.getLocalPort();
        }
    }

    private static RaftServer awaitLeader(List<RaftServer> servers, RaftGroupId groupId,
            long deadline) throws IOException, InterruptedException {
        while (System.nanoTime() - deadline < 0) {
            for (RaftServer s : servers) {
                RaftServer.Division d = s.getDivision(groupId);
                if (d.getInfo().isLeader() && d.getInfo().isLeaderReady()) {
                    return s;
                }
            }
            Thread.sleep(10);
        }
        throw new IOException("no warm-up leader within " + TIMEOUT_MS + " ms");
    }

    private static void commit(RaftServer leader, RaftGroupId groupId, long deadline)
            throws IOException, InterruptedException {
        ClientId client = ClientId.randomId();
        for (int i = 1; i <= COMMANDS; i++) {
            RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(client)
                    .setServerId(leader.getId()).setGroupId(groupId).setCallId(i)
                    .setMessage(Message.valueOf("warm-up " + i))
                    .setType(RaftClientRequest.writeRequestType()).build();
            CompletableFuture<RaftClientReply> reply = leader.submitClientRequestAsync(request);
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                if (!reply.get(left, TimeUnit.NANOSECONDS).isSuccess()) {
                    throw new IOException("warm-up command " + i + " failed");
                }
            } catch (ExecutionException | TimeoutException e) {
                throw new IOException("warm-up command " + i + ": " + e, e);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.debug("warm-up directory {} not removed: {}", dir, e.toString());
        }
    }

    /** Applies every command by answering with its own bytes. */
    private static final class Echo extends BaseStateMachine {
        @Override
        public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
            var entry = trx.getLogEntry();
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
            return CompletableFuture.completedFuture(Message.valueOf(
                    entry.getStateMachineLogEntry().getLogData()));
        }
    }

}
