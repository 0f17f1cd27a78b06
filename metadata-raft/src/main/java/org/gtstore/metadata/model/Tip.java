package org.gtstore.metadata.model;

import org.gtstore.proto.PartitionTip;
import org.gtstore.proto.ReplicaTip;

/**
 * What a replica holds of one partition, as Raft compares logs by last term and index: the
 * branch of its last applied update and that seq. Branch ids grow with the map epoch of the
 * head that opened them, and a head opens one whenever it starts writing (after a restart or a
 * promotion) with everything of the chain before it, so a replica on a newer branch holds more;
 * on one branch, a higher seq does. An incomplete replica (a copy was filling holes in it when
 * it stopped) may lack keys below its seq, so it ranks below every complete one.
 */
public record Tip(long branch, long seq, boolean incomplete) implements Comparable<Tip> {

    public static Tip fromProto(PartitionTip t) {
        return new Tip(t.getBranch(), t.getSeq(), t.getIncomplete());
    }

    public static Tip fromProto(ReplicaTip t) {
        return new Tip(t.getBranch(), t.getSeq(), t.getIncomplete());
    }

    public ReplicaTip toProto(String serverId) {
        return ReplicaTip.newBuilder().setServerId(serverId).setBranch(branch).setSeq(seq)
                .setIncomplete(incomplete).build();
    }

    /** Orders by how much the replica holds: the one holding more compares greater. */
    @Override
    public int compareTo(Tip o) {
        if (incomplete != o.incomplete) {
            return incomplete ? -1 : 1;
        }
        if (branch != o.branch) {
            return Long.compare(branch, o.branch);
        }
        return Long.compare(seq, o.seq);
    }

    @Override
    public String toString() {
        return "branch " + branch + " seq " + seq + (incomplete ? " (incomplete)" : "");
    }
}
