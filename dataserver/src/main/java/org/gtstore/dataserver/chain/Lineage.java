package org.gtstore.dataserver.chain;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import org.gtstore.proto.PartitionLineage;
import org.gtstore.proto.PartitionTip;

/**
 * One partition's history as branches (the {@code Branch} message of data.proto; Kafka's
 * leader-epoch cache plays the same part): the updates with seqs after a branch's
 * {@code afterSeq}, up to the next branch's, were written by the head that opened it. Immutable.
 *
 * <p>Why: a replica's store keeps each key's latest value and the partition's applied seq, not
 * a log, so two replicas that hold the same applied seq hold the same data only if the same
 * head wrote both. A head whose data predates its process may have lost updates it had given
 * seqs to (a power cut in the replicated mode) while another replica kept them; the head opens a
 * new branch before it writes again, and a successor whose last applied update is not on its
 * predecessor's history ({@link #holds}) is discarded and copied again.
 *
 * <p>At most {@link #MAX_BRANCHES} are kept; a history that lost its oldest branches holds
 * none of the seqs they covered (a replica still on one of them is copied again: the safe side).
 */
final class Lineage {
    static final int MAX_BRANCHES = 32;
    /** Branch 0 after seq 0: the history of a partition no head ever had to branch. */
    static final Lineage FIRST = new Lineage(List.of(new Branch(0, 0)));

    record Branch(long id, long afterSeq) {
    }

    private final List<Branch> branches;

    private Lineage(List<Branch> branches) {
        this.branches = List.copyOf(branches);
    }

    boolean isFirst() {
        return equals(FIRST);
    }

    List<Branch> branches() {
        return branches;
    }

    /**
     * This history with a new branch after {@code afterSeq}, dropping the oldest if full. The
     * branches after {@code afterSeq} go: their updates are not on this history any more.
     */
    Lineage open(long id, long afterSeq) {
        List<Branch> next = new ArrayList<>(branches);
        next.removeIf(b -> b.afterSeq() >= afterSeq && !(b.afterSeq() == 0 && afterSeq == 0
                && b.id() == 0));
        next.add(new Branch(id, afterSeq));
        while (next.size() > MAX_BRANCHES) {
            next.remove(0);
        }
        return new Lineage(next);
    }

    /** The branch the update with this seq is on, or -1 if the history no longer says. */
    long branchOf(long seq) {
        for (int i = branches.size() - 1; i >= 0; i--) {
            Branch b = branches.get(i);
            if (b.afterSeq() < seq || (b.afterSeq() == 0 && seq == 0)) {
                return b.id();
            }
        }
        return -1;
    }

    /**
     * True if this history, applied up to {@code applied}, holds the update another replica
     * applied last: {@code seq} on branch {@code branch} (so it holds everything before it too,
     * as the branch's head wrote it). Seq 0 (nothing applied) is on every history.
     */
    boolean holds(long branch, long seq, long applied) {
        if (seq == 0) {
            return true;
        }
        if (seq > applied || branch < 0) {
            return false;
        }
        for (int i = 0; i < branches.size(); i++) {
            Branch b = branches.get(i);
            if (b.id() == branch) {
                long end = i + 1 < branches.size() ? branches.get(i + 1).afterSeq() : applied;
                return seq > b.afterSeq() && seq <= end;
            }
        }
        return false;
    }

    /**
     * The tip of a partition with this history: the branch of its last applied update and that
     * seq; incomplete while a copy was filling holes (a commit hold) or the branch is unknown.
     */
    PartitionTip tip(int partition, long chainEpoch, long applied, long commitHold) {
        long branch = branchOf(applied);
        return PartitionTip.newBuilder().setPartition(partition).setChainEpoch(chainEpoch)
                .setBranch(Math.max(0, branch)).setSeq(applied)
                .setIncomplete(commitHold != 0 || branch < 0).build();
    }

    PartitionLineage toProto(int partition) {
        PartitionLineage.Builder b = PartitionLineage.newBuilder().setPartition(partition);
        for (Branch br : branches) {
            b.addBranches(org.gtstore.proto.Branch.newBuilder().setId(br.id())
                    .setAfterSeq(br.afterSeq()));
        }
        return b.build();
    }

    /** The history a message or the store gave; null if it is malformed. */
    static Lineage fromProto(PartitionLineage p) {
        if (p.getBranchesCount() == 0 || p.getBranchesCount() > MAX_BRANCHES) {
            return null;
        }
        List<Branch> out = new ArrayList<>(p.getBranchesCount());
        long last = 0;
        for (org.gtstore.proto.Branch b : p.getBranchesList()) {
            if (b.getAfterSeq() < last || b.getId() < 0) {
                return null;
            }
            last = b.getAfterSeq();
            out.add(new Branch(b.getId(), b.getAfterSeq()));
        }
        return new Lineage(out);
    }

    /** The stored form (the store keeps it opaque). */
    byte[] toBytes(int partition) {
        return toProto(partition).toByteArray();
    }

    /** The history as stored; {@link #FIRST} for none. */
    static Lineage fromBytes(byte[] stored) {
        if (stored == null || stored.length == 0) {
            return FIRST;
        }
        try {
            Lineage l = fromProto(PartitionLineage.parseFrom(stored));
            if (l == null) {
                throw new IllegalStateException("malformed stored lineage");
            }
            return l;
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("unreadable stored lineage: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Lineage l && l.branches.equals(branches);
    }

    @Override
    public int hashCode() {
        return branches.hashCode();
    }

    @Override
    public String toString() {
        return branches.toString();
    }
}
