package org.gtstore.dataserver.server;

import com.google.protobuf.ByteString;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gtstore.dataserver.chain.ChainEvent;
import org.gtstore.dataserver.chain.ChainReplica;
import org.gtstore.dataserver.chain.ChainReplicaConfig;
import org.gtstore.dataserver.chain.ClientReply;
import org.gtstore.dataserver.chain.CopyCommand;
import org.gtstore.dataserver.chain.Outbound;
import org.gtstore.dataserver.chain.Ready;
import org.gtstore.dataserver.chain.StreamKind;
import org.gtstore.dataserver.storage.InMemoryStore;
import org.gtstore.dataserver.storage.PartitionSnapshot;
import org.gtstore.dataserver.storage.StoredDedup;
import org.gtstore.dataserver.storage.StoredEntry;
import org.gtstore.proto.Chain;
import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.ClusterSettings;
import org.gtstore.proto.DedupEntry;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.proto.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the chain protocol's map changes once in this JVM, on a thread of its own as the server
 * starts: four
 * throw-away replicas in memory ({@code rehearsal-1..4} in the log; stores in memory, messages
 * through queues) take writes on a chain 1 -> 2 -> 3, repair it when 1 leaves, copy the
 * partitions to a joining 4 and make it the tail, taking writes and reads after each step.
 *
 * <p>Why: a server's first chain change loads and links the code of chain repair, state
 * transfer and refusals (over a hundred classes, half of them lambda forms). On two shared
 * cores every data server of a cluster then took 140-225 ms to apply the map of the first
 * server that left, against 4-12 ms for the next one, and the requests waiting behind that map
 * paused the cluster's writes. The classes are the JVM's, so once per JVM is enough; the
 * server's own replica and store are not touched.
 *
 * <p>A rehearsal that fails is logged and skipped: the server then starts as it would without.
 */
final class ChainRehearsal {
    private static final Logger LOG = LoggerFactory.getLogger(ChainRehearsal.class);
    private static final AtomicBoolean DONE = new AtomicBoolean();
    /** The replicas' ids, as their own log lines show them. */
    private static final String ID = "rehearsal-";
    private static final int PARTITIONS = 4;
    private static final KeyPartitioner PARTITIONER = new KeyPartitioner(PARTITIONS);
    /** Driver passes one event may take before the rehearsal gives up. */
    private static final int PASSES_MAX = 100;
    /** Writes taken after each step, spread over the partitions. */
    static final int WRITES = 8;
    /** Set to false, no rehearsal runs: to measure what it saves on one build. */
    static final String ENABLED_PROPERTY = "gtstore.chainRehearsal";

    private record Link(String from, String to, StreamKind sentOn) {
    }

    private record Node(ChainReplica replica, InMemoryStore store) {
    }

    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<Link, ArrayDeque<ChainMessage>> network = new LinkedHashMap<>();
    private final ArrayDeque<CopyCommand.Start> copies = new ArrayDeque<>();
    private final Map<Long, Node> copySources = new LinkedHashMap<>();
    private List<String> members = List.of();
    private long epoch;
    private long requestId;
    private int committed;
    private int readsOk;

    private ChainRehearsal(ChainReplicaConfig config) {
        for (int i = 1; i <= 4; i++) {
            String id = ID + i;
            Node n = new Node(new ChainReplica(id, config, Map.of()), new InMemoryStore());
            nodes.put(id, n);
            n.replica().step(new ChainEvent.LeaseChanged(true));
        }
    }

    /**
     * Starts the rehearsal on a daemon thread, once per JVM; later calls do nothing. In the
     * background because the server's start need not wait for it: its first chain change
     * comes later, and at a cluster's start waiting held every server back.
     */
    static void startOnce(String serverId, ChainReplicaConfig config) {
        if (!Boolean.parseBoolean(System.getProperty(ENABLED_PROPERTY, "true"))
                || !DONE.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> rehearse(serverId, config), serverId + "-chain-rehearsal");
        t.setDaemon(true);
        t.start();
    }

    private static void rehearse(String serverId, ChainReplicaConfig config) {
        long start = System.nanoTime();
        try {
            run(config);
            LOG.info("[{}] chain changes rehearsed in {} ms (rehearsal-1..4 are throw-away"
                    + " replicas in memory)", serverId,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } catch (RuntimeException e) {
            LOG.info("[{}] chain rehearsal skipped: {}", serverId, e.toString());
        }
    }

    /**
     * One rehearsal; throws if a step did not end as the protocol says it must (a write not
     * committed, a read not answered with the value, a copy that did not finish).
     */
    static void run(ChainReplicaConfig config) {
        ChainRehearsal r = new ChainRehearsal(config);
        String a = ID + 1;
        String b = ID + 2;
        String c = ID + 3;
        String d = ID + 4;
        r.step(1, List.of(a, b, c), "", a, c);
        r.step(2, List.of(b, c), "", b, c);
        r.step(3, List.of(b, c), d, b, c);
        r.step(4, List.of(b, c, d), "", b, d);
        r.refusal(b);
    }

    /** A map with every partition on {@code chain}, then writes at the head, reads at the tail. */
    private void step(long mapEpoch, List<String> chain, String joining, String head,
            String tail) {
        epoch = mapEpoch;
        PartitionMap m = map(chain, joining);
        List<String> members = new ArrayList<>(chain);
        if (!joining.isEmpty()) {
            members.add(joining);
        }
        // A server that left: its streams break, what was in flight to and from it is lost.
        List<String> left = new ArrayList<>(this.members);
        left.removeAll(members);
        network.keySet().removeIf(l -> !members.contains(l.from()) || !members.contains(l.to()));
        for (String id : members) {
            for (String gone : left) {
                deliver(nodes.get(id), new ChainEvent.PeerDisconnected(gone));
            }
            deliver(nodes.get(id), new ChainEvent.MapChanged(m));
        }
        this.members = members;
        settle();
        int before = committed;
        int readsBefore = readsOk;
        for (int i = 0; i < WRITES; i++) {
            deliver(nodes.get(head), new ChainEvent.ClientPut(put(i), ++requestId, 0));
        }
        settle();
        for (int i = 0; i < WRITES; i++) {
            deliver(nodes.get(tail), new ChainEvent.ClientGet(get(i), requestId + i));
        }
        settle();
        if (committed - before != WRITES || readsOk - readsBefore != WRITES || !copies.isEmpty()) {
            throw new IllegalStateException("epoch " + mapEpoch + ": " + (committed - before)
                    + " of " + WRITES + " writes committed, " + (readsOk - readsBefore)
                    + " reads answered, " + copies.size() + " copies left");
        }
    }

    /** A write with an older map epoch than the chain's: refused, as a client's would be. */
    private void refusal(String head) {
        epoch = 1;
        deliver(nodes.get(head), new ChainEvent.ClientPut(put(0), ++requestId, 0));
    }

    private PutRequest put(int i) {
        ByteString key = key(i);
        return PutRequest.newBuilder().setEpoch(epoch).setPartition(PARTITIONER.partitionOf(key))
                .setKey(key).setValue(ByteString.copyFromUtf8("value-" + epoch))
                .setClientId("rehearsal").setRequestId(requestId + 1).build();
    }

    private GetRequest get(int i) {
        ByteString key = key(i);
        return GetRequest.newBuilder().setEpoch(epoch).setPartition(PARTITIONER.partitionOf(key))
                .setKey(key).build();
    }

    private static ByteString key(int i) {
        return ByteString.copyFromUtf8("rehearsal-" + i);
    }

    private PartitionMap map(List<String> chain, String joining) {
        PartitionMap.Builder m = PartitionMap.newBuilder().setEpoch(epoch)
                .setSettings(ClusterSettings.newBuilder().setPartitions(PARTITIONS)
                        .setReplication(3));
        for (String id : nodes.keySet()) {
            boolean member = chain.contains(id) || id.equals(joining);
            m.addServers(ServerInfo.newBuilder().setId(id).setIncarnation(1)
                    .setState(member ? ServerState.ALIVE : ServerState.DEAD));
        }
        for (int p = 0; p < PARTITIONS; p++) {
            m.addChains(Chain.newBuilder().setPartition(p).setEpoch(epoch)
                    .addAllReplicas(chain).setJoining(joining));
        }
        return m.build();
    }

    /** Delivers messages and copy chunks until nothing moves. */
    private void settle() {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (var e : new ArrayList<>(network.entrySet())) {
                ChainMessage m = e.getValue().pollFirst();
                if (m != null) {
                    Link l = e.getKey();
                    deliver(nodes.get(l.to()), new ChainEvent.PeerMessage(m,
                            l.sentOn() == StreamKind.OUTBOUND ? StreamKind.INBOUND
                                    : StreamKind.OUTBOUND));
                    moved = true;
                }
            }
            CopyCommand.Start c = copies.pollFirst();
            if (c != null) {
                readCopy(c);
                moved = true;
            }
        }
    }

    /** Reads a whole copy in one chunk from its source's store, as the copier does in several. */
    private void readCopy(CopyCommand.Start s) {
        Node source = copySources.remove(s.copyId());
        List<Update> entries = new ArrayList<>();
        List<DedupEntry> dedup = new ArrayList<>();
        try (PartitionSnapshot snap = source.store().snapshot(s.partition());
             PartitionSnapshot.Cursor cursor = snap.cursor()) {
            for (StoredEntry e = cursor.next(); e != null; e = cursor.next()) {
                if (e.value().version() > s.fromVersion()) {
                    entries.add(PartitionCopier.copied(s.partition(), e));
                }
            }
            for (StoredDedup d : snap.dedup()) {
                dedup.add(PartitionCopier.dedupEntry(d));
            }
        }
        if (s.versionOrder()) {
            entries.sort(Comparator.comparingLong(Update::getSeq));
        }
        deliver(source, new ChainEvent.CopyChunkRead(s.copyId(), s.partition(), entries, true,
                entries.size(), entries.size(), dedup));
    }

    /**
     * Steps one event into a replica and plays the driver for what it made ready (persist,
     * copies, replies, messages, PersistDone), until it has nothing more.
     */
    private void deliver(Node n, ChainEvent event) {
        n.replica().step(event);
        for (int pass = 0; pass < PASSES_MAX; pass++) {
            Ready r = n.replica().ready();
            if (r.isEmpty()) {
                return;
            }
            drive(n, r);
        }
        throw new IllegalStateException(n.replica().selfId() + " still busy after "
                + PASSES_MAX + " passes");
    }

    private void drive(Node n, Ready r) {
        if (r.hasStoreWork()) {
            n.store().apply(ReplicaDriver.storeBatch(r));
        }
        for (CopyCommand c : r.copies()) {
            if (c instanceof CopyCommand.Start s) {
                copies.add(s);
                copySources.put(s.copyId(), n);
            }
        }
        for (ClientReply reply : r.replies()) {
            if (reply instanceof ClientReply.Committed) {
                committed++;
            } else if (reply instanceof ClientReply.LocalRead read) {
                GetResponse g = LocalReads.localAnswer(read,
                        n.store().get(read.partition(), read.key()), n.replica().selfId(), 0);
                readsOk += g.getCode() == ErrorCode.OK ? 1 : 0;
            } else if (reply instanceof ClientReply.GetDone g) {
                readsOk += g.response().getCode() == ErrorCode.OK ? 1 : 0;
            }
        }
        String self = n.replica().selfId();
        for (Outbound o : r.messages()) {
            network.computeIfAbsent(new Link(self, o.peer(), o.stream()), k -> new ArrayDeque<>())
                    .add(o.message());
        }
        n.replica().step(new ChainEvent.PersistDone());
    }
}
