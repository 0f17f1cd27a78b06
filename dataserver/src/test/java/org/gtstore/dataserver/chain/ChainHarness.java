package org.gtstore.dataserver.chain;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gtstore.dataserver.server.ExpirySweeper;
import org.gtstore.dataserver.server.LocalReads;
import org.gtstore.dataserver.server.PartitionCopier;
import org.gtstore.dataserver.server.ReplicaDriver;
import org.gtstore.dataserver.server.ScanPages;
import org.gtstore.dataserver.storage.InMemoryStore;
import org.gtstore.dataserver.storage.PartitionSnapshot;
import org.gtstore.dataserver.storage.StoreBatch;
import org.gtstore.dataserver.storage.StoredDedup;
import org.gtstore.dataserver.storage.StoredEntry;
import org.gtstore.dataserver.storage.StoredValue;
import org.gtstore.proto.Chain;
import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.ClusterSettings;
import org.gtstore.proto.DedupEntry;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.PartitionTip;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.ScanRequest;
import org.gtstore.proto.ScanResponse;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.proto.Update;

/**
 * Wires several {@link ChainReplica}s through in-memory FIFO queues, one per (sender, receiver,
 * stream), playing the driver's part: persist each Ready into an {@link InMemoryStore}, run the
 * tail reads, record client replies, queue messages, step PersistDone. Tests decide which
 * messages are delivered, dropped or held, and which servers are dead.
 */
final class ChainHarness {
    static final int PARTITIONS = 8;
    static final KeyPartitioner PARTITIONER = new KeyPartitioner(PARTITIONS);

    record Link(String from, String to, StreamKind sentOn) {
    }

    /** The fake wall clock every node's puts, reads and sweeps use (ms since the epoch). */
    long nowMs = 1_700_000_000_000L;

    /** A copy being read by the harness's copier (plays the driver's PartitionCopier). */
    static final class CopyTask {
        final CopyCommand.Start start;
        final PartitionSnapshot snapshot;
        List<Update> pending;
        /** Version order: the dedup entries not sent yet, by the key they wrote. */
        Map<com.google.protobuf.ByteString, List<DedupEntry>> dedupByKey;
        int credits;
        long copied;
        long total = -1;

        CopyTask(CopyCommand.Start start, PartitionSnapshot snapshot) {
            this.start = start;
            this.snapshot = snapshot;
            this.credits = start.credits();
        }
    }

    static final class Node {
        ChainReplica replica;
        InMemoryStore store = new InMemoryStore();
        /** Every batch applied to the store, oldest first: a power cut keeps a prefix. */
        final List<StoreBatch> batches = new ArrayList<>();
        boolean alive = true;
        long mapWanted;
        final List<CaughtUpReport> caughtUp = new ArrayList<>();
        /** Tips for the metadata (the newest report replaces the last). */
        List<PartitionTip> tips = List.of();
        final Map<Long, CopyTask> copies = new LinkedHashMap<>();
        final List<CopyCommand.Start> copiesStarted = new ArrayList<>();

        Node(ChainReplica replica) {
            this.replica = replica;
        }
    }

    /** Keys per copy chunk: small, so that copies take several chunks. */
    int copyChunkKeys = 3;
    /** While true, {@link #deliverAll()} reads no copy chunks (a slow copier). */
    boolean copierPaused;
    final ChainReplicaConfig config;

    final Map<String, Node> nodes = new LinkedHashMap<>();
    final Map<Link, ArrayDeque<ChainMessage>> network = new LinkedHashMap<>();
    /** Each server's incarnation in the maps built here (1 unless a test sets another). */
    final Map<String, Long> incarnations = new HashMap<>();
    final Set<String> blockedTo = new HashSet<>();
    /**
     * Servers the client has no session with: their Committed replies never reach it (a client
     * registers with the tail of its map, so a replica that becomes the tail later is not one).
     */
    final Set<String> noSessionAt = new HashSet<>();
    final Map<Long, Object> replies = new HashMap<>();
    /** The puts sent, by client and request id: their tokens, and the server each went to. */
    private final Map<String, List<Long>> tokensByRequest = new HashMap<>();
    private final Map<Long, String> sentTo = new HashMap<>();
    private long nextToken = 1;
    long epoch;
    /** The store's answers to condition checks, stepped after the Ready that asked (as the driver's next pass). */
    private record PendingCheck(Node node, ChainEvent.ConditionRead answer) {
    }

    private final ArrayDeque<PendingCheck> conditionChecks = new ArrayDeque<>();
    private boolean answeringChecks;
    /** Condition checks wait for {@link #answerChecks()} instead of being answered at once. */
    boolean deferChecks;

    ChainHarness(ChainReplicaConfig config, String... ids) {
        this.config = config;
        for (String id : ids) {
            Node n = new Node(new ChainReplica(id, config, Map.of()));
            nodes.put(id, n);
            n.replica.step(new ChainEvent.LeaseChanged(true));
        }
    }

    ChainHarness(String... ids) {
        this(new ChainReplicaConfig(1000, 3, 5, 1 << 20, 1000, 1000), ids);
    }

    /** Servers a, b, c, every partition's chain a -> b -> c in epoch 1, every hello delivered. */
    static ChainHarness threeChain() {
        ChainHarness h = new ChainHarness("a", "b", "c");
        h.setMap(1, List.of("a", "b", "c"));
        h.deliverAll();
        return h;
    }

    Node node(String id) {
        return nodes.get(id);
    }

    ChainReplica replica(String id) {
        return nodes.get(id).replica;
    }

    /** A map where every partition has the same chain, head first. */
    void setMap(long newEpoch, List<String> chain) {
        setMap(newEpoch, chain, "");
    }

    void setMap(long newEpoch, List<String> chain, String joining) {
        epoch = newEpoch;
        PartitionMap m = map(newEpoch, chain, joining);
        for (Node n : nodes.values()) {
            if (n.alive) {
                step(n, new ChainEvent.MapChanged(m));
            }
        }
    }

    PartitionMap map(long mapEpoch, List<String> chain, String joining) {
        PartitionMap.Builder m = PartitionMap.newBuilder().setEpoch(mapEpoch)
                .setSettings(ClusterSettings.newBuilder().setPartitions(PARTITIONS)
                        .setReplication(chain.size()));
        for (String id : nodes.keySet()) {
            m.addServers(ServerInfo.newBuilder().setId(id).setState(ServerState.ALIVE)
                    .setIncarnation(incarnations.getOrDefault(id, 1L)));
        }
        for (int p = 0; p < PARTITIONS; p++) {
            m.addChains(Chain.newBuilder().setPartition(p).addAllReplicas(chain)
                    .setJoining(joining).setEpoch(mapEpoch));
        }
        return m.build();
    }

    /** A map built from one chain per partition (partition and epoch fields set by the caller). */
    PartitionMap map(long mapEpoch, java.util.function.IntFunction<Chain> chainOf) {
        PartitionMap.Builder m = PartitionMap.newBuilder().setEpoch(mapEpoch)
                .setSettings(ClusterSettings.newBuilder().setPartitions(PARTITIONS));
        for (String id : nodes.keySet()) {
            m.addServers(ServerInfo.newBuilder().setId(id).setState(ServerState.ALIVE)
                    .setIncarnation(incarnations.getOrDefault(id, 1L)));
        }
        for (int p = 0; p < PARTITIONS; p++) {
            m.addChains(chainOf.apply(p));
        }
        return m.build();
    }

    /** Gives a map to the listed servers only (the others have not seen it yet). */
    void deliverMap(PartitionMap m, String... ids) {
        for (String id : ids) {
            step(nodes.get(id), new ChainEvent.MapChanged(m));
        }
    }

    /** Sends a put to {@code server}; returns the reply token. */
    long put(String server, String key, String value) {
        return put(server, request(key, value).build());
    }

    /**
     * Sends a put to {@code server}; returns the reply token. A request without a client id is
     * sent as client "h" with the token as its request id. The reply is the head's answer, or
     * (as the client library makes it) OK naming the head with the version of the tail's
     * Committed reply for the request.
     */
    long put(String server, PutRequest request) {
        long token = nextToken++;
        PutRequest r = request.getClientId().isEmpty()
                ? request.toBuilder().setClientId("h").setRequestId(token).build() : request;
        tokensByRequest.computeIfAbsent(requestKey(r.getClientId(), r.getRequestId()),
                k -> new ArrayList<>()).add(token);
        sentTo.put(token, server);
        step(nodes.get(server), new ChainEvent.ClientPut(r, token, nowMs));
        return token;
    }

    private static String requestKey(String clientId, long requestId) {
        return clientId + "/" + requestId;
    }

    /** A tail's Committed reply answers every put of that request still waiting. */
    private void committed(ClientReply.Committed c) {
        List<Long> tokens = tokensByRequest.get(requestKey(c.clientId().toStringUtf8(),
                c.requestId()));
        if (tokens == null) {
            return;
        }
        for (long token : tokens) {
            replies.putIfAbsent(token, PutResponse.newBuilder().setCode(ErrorCode.OK)
                    .setServerId(sentTo.get(token)).setVersion(c.version())
                    .setEpoch(c.epoch()).build());
        }
    }

    PutRequest.Builder request(String key, String value) {
        ByteString k = bytes(key);
        return PutRequest.newBuilder().setEpoch(epoch).setPartition(PARTITIONER.partitionOf(k))
                .setKey(k).setValue(bytes(value));
    }

    long get(String server, String key) {
        ByteString k = bytes(key);
        return get(server, GetRequest.newBuilder().setEpoch(epoch)
                .setPartition(PARTITIONER.partitionOf(k)).setKey(k).build());
    }

    long get(String server, GetRequest request) {
        long token = nextToken++;
        step(nodes.get(server), new ChainEvent.ClientGet(request, token));
        return token;
    }

    long scan(String server, ScanRequest request) {
        long token = nextToken++;
        step(nodes.get(server), new ChainEvent.ClientScan(request.toBuilder().setEpoch(epoch)
                .build(), token));
        return token;
    }

    ScanResponse scanReply(long token) {
        return (ScanResponse) replies.get(token);
    }

    PutResponse putReply(long token) {
        return (PutResponse) replies.get(token);
    }

    GetResponse getReply(long token) {
        return (GetResponse) replies.get(token);
    }

    void tick(String server) {
        Node n = nodes.get(server);
        n.replica.tick();
        flush(n);
    }

    void step(Node n, ChainEvent e) {
        n.replica.step(e);
        flush(n);
        answerChecksUnlessDeferred();
    }

    private void answerChecksUnlessDeferred() {
        if (!deferChecks) {
            answerChecks();
        }
    }

    /** Steps the store's answers to every condition check asked so far. */
    void answerChecks() {
        if (answeringChecks) {
            return;
        }
        answeringChecks = true;
        try {
            for (PendingCheck c = conditionChecks.poll(); c != null; c = conditionChecks.poll()) {
                c.node().replica.step(c.answer());
                flush(c.node());
            }
        } finally {
            answeringChecks = false;
        }
    }

    /** Plays the driver: persist, then read, then send, then PersistDone. */
    void flush(Node n) {
        Ready r = n.replica.ready();
        if (r.isEmpty()) {
            return;
        }
        if (r.hasStoreWork()) {
            StoreBatch b = ReplicaDriver.storeBatch(r);
            n.store.apply(b);
            n.batches.add(b);
        }
        for (CopyCommand c : r.copies()) {
            if (c instanceof CopyCommand.Start st) {
                n.copies.put(st.copyId(), new CopyTask(st, n.store.snapshot(st.partition())));
                n.copiesStarted.add(st);
            } else if (c instanceof CopyCommand.Pull pull) {
                CopyTask t = n.copies.get(pull.copyId());
                if (t != null) {
                    t.credits += pull.credits();
                }
            } else if (c instanceof CopyCommand.Cancel x) {
                n.copies.remove(x.copyId());
            }
        }
        for (ClientReply reply : r.replies()) {
            // The first answer to a put counts, as in the client (a straggler may get two).
            if (reply instanceof ClientReply.PutDone p) {
                replies.putIfAbsent((Long) p.replyTo(), p.response());
            } else if (reply instanceof ClientReply.GetDone g) {
                replies.put((Long) g.replyTo(), g.response());
            } else if (reply instanceof ClientReply.LocalRead read) {
                replies.put((Long) read.replyTo(), localRead(n, read));
            } else if (reply instanceof ClientReply.LocalScan scan) {
                replies.put((Long) scan.replyTo(), ScanPages.answer(scan,
                        n.replica.committedSeq(scan.request().getPartition()), n.store,
                        n.replica.selfId(), nowMs));
            } else if (reply instanceof ClientReply.ScanDone done) {
                replies.put((Long) done.replyTo(), done.response());
            } else if (reply instanceof ClientReply.ConditionRead check) {
                conditionChecks.add(new PendingCheck(n, LocalReads.conditionAnswer(check,
                        n.store.get(check.partition(), check.key()), nowMs)));
            } else if (reply instanceof ClientReply.Committed c
                    && !noSessionAt.contains(n.replica.selfId())) {
                committed(c);
            }
        }
        String self = n.replica.selfId();
        for (Outbound o : r.messages()) {
            network.computeIfAbsent(new Link(self, o.peer(), o.stream()), k -> new ArrayDeque<>())
                    .add(o.message());
        }
        n.mapWanted = Math.max(n.mapWanted, r.mapWantedEpoch());
        n.caughtUp.addAll(r.caughtUp());
        if (!r.tips().isEmpty()) {
            n.tips = r.tips();
        }
        n.replica.step(new ChainEvent.PersistDone());
    }

    /**
     * Plays the copier of {@code server}: reads the next chunk of its first copy with credit
     * and steps it in. False if no copy can read.
     */
    boolean copyStep(String server) {
        Node n = nodes.get(server);
        if (!n.alive) {
            return false;
        }
        for (CopyTask t : n.copies.values()) {
            if (t.credits > 0) {
                readChunk(n, t);
                return true;
            }
        }
        return false;
    }

    private void readChunk(Node n, CopyTask t) {
        CopyCommand.Start s = t.start;
        if (t.total < 0) {
            PartitionSnapshot.Cursor c = t.snapshot.cursor();
            t.pending = new ArrayList<>();
            for (StoredEntry e = c.next(); e != null; e = c.next()) {
                if (e.value().version() > s.fromVersion()) {
                    t.pending.add(PartitionCopier.copied(s.partition(), e));
                }
            }
            if (s.versionOrder()) {
                t.pending.sort(java.util.Comparator.comparingLong(Update::getSeq));
                t.dedupByKey = PartitionCopier.dedupByKey(t.snapshot.dedup(), s.fromVersion());
            }
            t.total = t.pending.size();
        }
        List<Update> entries = new ArrayList<>();
        List<DedupEntry> dedup = new ArrayList<>();
        while (entries.size() < copyChunkKeys && !t.pending.isEmpty()) {
            Update u = t.pending.remove(0);
            entries.add(u);
            if (s.versionOrder()) {
                dedup.addAll(t.dedupByKey.getOrDefault(u.getKey(), List.of()));
                t.dedupByKey.remove(u.getKey());
            }
        }
        boolean last = t.pending.isEmpty();
        t.copied += entries.size();
        t.credits--;
        if (last) {
            n.copies.remove(s.copyId());
            dedup.clear();
            for (StoredDedup d : t.snapshot.dedup()) {
                dedup.add(PartitionCopier.dedupEntry(d));
            }
        }
        step(n, new ChainEvent.CopyChunkRead(s.copyId(), s.partition(), entries, last,
                t.copied, t.total, dedup));
    }

    /**
     * Restarts a server on its store: a new replica that recovers the applied seqs and dedup
     * entries, with no memory of anything else; it gets the current map again.
     */
    void restart(String id, PartitionMap currentMap) {
        Node n = nodes.get(id);
        List<DedupRecord> dedup = new ArrayList<>();
        for (StoredDedup d : n.store.dedupEntries()) {
            dedup.add(new DedupRecord(d.partition(), d.clientId(), d.requestId(), d.seq(),
                    d.key(), d.journal()));
        }
        n.replica = new ChainReplica(id, config, new ChainReplica.Stored(n.store.appliedSeqs(),
                dedup, n.store.joinEpochs(), n.store.commitHolds(), n.store.lineages(),
                n.store.lastJournal(), true));
        n.alive = true;
        n.copies.clear();
        network.entrySet().removeIf(e -> e.getKey().from().equals(id)
                || e.getKey().to().equals(id));
        n.replica.step(new ChainEvent.LeaseChanged(true));
        if (currentMap != null) {
            step(n, new ChainEvent.MapChanged(currentMap));
        }
        // The streams other servers had opened to it broke and are opened again.
        for (Node other : nodes.values()) {
            if (other != n && other.alive) {
                step(other, new ChainEvent.PeerDisconnected(id));
                step(other, new ChainEvent.PeerConnected(id));
            }
        }
    }

    private GetResponse localRead(Node n, ClientReply.LocalRead read) {
        return LocalReads.localAnswer(read, n.store.get(read.partition(), read.key()),
                n.replica.selfId(), nowMs);
    }

    /** Moves the fake wall clock (TTLs and expiry) on by {@code ms}. */
    void advanceClock(long ms) {
        nowMs += ms;
    }

    /**
     * Runs the driver's expiry sweep on {@code server} at the fake wall clock: stale index
     * entries are forgotten, due writes stepped into its replica.
     */
    void sweepExpiries(String server) {
        Node n = nodes.get(server);
        ChainEvent.ExpiriesDue due = new ExpirySweeper(n.store, ExpirySweeper.ENTRIES_PER_SWEEP)
                .sweep(nowMs);
        if (due != null) {
            step(n, due);
        }
    }

    /** Delivers queued messages until none is deliverable; returns how many were delivered. */
    int deliverAll() {
        int delivered = 0;
        boolean progress = true;
        while (progress) {
            progress = false;
            for (Link link : new ArrayList<>(network.keySet())) {
                if (deliverOne(link)) {
                    delivered++;
                    progress = true;
                }
            }
            for (String id : nodes.keySet()) {
                while (!copierPaused && copyStep(id)) {
                    progress = true;
                }
            }
        }
        return delivered;
    }

    /** Delivers the next message on one link; false if none or the receiver is blocked. */
    boolean deliverOne(Link link) {
        ArrayDeque<ChainMessage> q = network.get(link);
        if (q == null || q.isEmpty() || blockedTo.contains(link.to())) {
            return false;
        }
        ChainMessage m = q.pollFirst();
        Node to = nodes.get(link.to());
        if (to == null || !to.alive) {
            return true;
        }
        StreamKind arrivedOn = link.sentOn() == StreamKind.OUTBOUND
                ? StreamKind.INBOUND : StreamKind.OUTBOUND;
        step(to, new ChainEvent.PeerMessage(m, arrivedOn));
        return true;
    }

    /** Delivers every queued message from {@code from} to {@code to}. */
    void deliver(String from, String to) {
        for (Map.Entry<Link, ArrayDeque<ChainMessage>> e : network.entrySet()) {
            if (e.getKey().from().equals(from) && e.getKey().to().equals(to)) {
                while (deliverOne(e.getKey())) {
                    // Deliver the whole queue.
                }
            }
        }
    }

    /** Kills a server: it takes no more events, and messages to and from it are lost. */
    void kill(String id) {
        nodes.get(id).alive = false;
        nodes.get(id).copies.clear();
        network.entrySet().removeIf(e -> e.getKey().from().equals(id)
                || e.getKey().to().equals(id));
    }

    /**
     * The server's machine lost power: the server is killed, and its store keeps only what it
     * had before its last {@code lost} batches (the page cache never reached the disk). Returns
     * how many batches it lost (fewer if it had fewer).
     */
    int powerCut(String id, int lost) {
        kill(id);
        Node n = nodes.get(id);
        int keep = Math.max(0, n.batches.size() - lost);
        int dropped = n.batches.size() - keep;
        n.batches.subList(keep, n.batches.size()).clear();
        n.store = new InMemoryStore();
        for (StoreBatch b : n.batches) {
            n.store.apply(b);
        }
        return dropped;
    }

    /** Drops every message in flight to {@code id} (a broken stream). */
    void dropTo(String id) {
        network.entrySet().removeIf(e -> e.getKey().to().equals(id));
    }

    StoredValue stored(String server, String key) {
        ByteString k = bytes(key);
        return nodes.get(server).store.get(PARTITIONER.partitionOf(k), k);
    }

    static int partitionOf(String key) {
        return PARTITIONER.partitionOf(bytes(key));
    }

    static ByteString bytes(String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }
}
