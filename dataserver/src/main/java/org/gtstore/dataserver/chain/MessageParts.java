package org.gtstore.dataserver.chain;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.PartitionEpoch;
import org.gtstore.proto.PartitionSeq;
import org.gtstore.proto.Update;

/**
 * The per-partition parts of a chain message and the sender's chain epoch of each (the epoch in
 * which that partition's chain last changed in the sender's map; 0 where the sender did not say).
 * {@link PeerProtocol} judges every part by its own partition's chain, so a chain change in one
 * partition holds back nothing of another.
 *
 * <pre>
 *   hello        partitions[i]            chain epoch from applied[] of the same partition
 *   hello_reply  applied[i].partition     applied[i].chain_epoch
 *   updates      updates[i].partition     chain_epochs[] of the batch
 *   acks         committed[i].partition   committed[i].chain_epoch
 *   copy         partition                chain_epoch
 *   copy_ack     partition                chain_epoch
 * </pre>
 */
final class MessageParts {
    private MessageParts() {
    }

    /** Partition to the sender's chain epoch, in the order the parts appear in the message. */
    static Map<Integer, Long> of(ChainMessage m) {
        Map<Integer, Long> out = new LinkedHashMap<>();
        switch (m.getBodyCase()) {
            case HELLO -> {
                Map<Integer, Long> epochs = epochsOf(m.getHello().getAppliedList());
                for (int p : m.getHello().getPartitionsList()) {
                    out.put(p, epochs.getOrDefault(p, 0L));
                }
            }
            case HELLO_REPLY -> putAll(out, m.getHelloReply().getAppliedList());
            case UPDATES -> {
                Map<Integer, Long> epochs = updateEpochs(m);
                for (Update u : m.getUpdates().getUpdatesList()) {
                    out.putIfAbsent(u.getPartition(), epochs.getOrDefault(u.getPartition(), 0L));
                }
            }
            case ACKS -> putAll(out, m.getAcks().getCommittedList());
            case COPY -> out.put(m.getCopy().getPartition(), m.getCopy().getChainEpoch());
            case COPY_ACK -> out.put(m.getCopyAck().getPartition(),
                    m.getCopyAck().getChainEpoch());
            default -> {
            }
        }
        return out;
    }

    /** The chain epochs an update batch states, by partition. */
    static Map<Integer, Long> updateEpochs(ChainMessage m) {
        List<PartitionEpoch> list = m.getUpdates().getChainEpochsList();
        Map<Integer, Long> out = new HashMap<>(list.size() * 2);
        for (PartitionEpoch pe : list) {
            out.put(pe.getPartition(), pe.getEpoch());
        }
        return out;
    }

    /** The chain epochs of a list of (partition, seq) entries, by partition. */
    static Map<Integer, Long> epochsOf(List<PartitionSeq> list) {
        Map<Integer, Long> out = new HashMap<>(list.size() * 2);
        for (PartitionSeq ps : list) {
            out.put(ps.getPartition(), ps.getChainEpoch());
        }
        return out;
    }

    private static void putAll(Map<Integer, Long> out, List<PartitionSeq> list) {
        for (PartitionSeq ps : list) {
            out.putIfAbsent(ps.getPartition(), ps.getChainEpoch());
        }
    }
}
