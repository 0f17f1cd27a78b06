package org.gtstore.dataserver.rpc;

import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.ClientBatch;
import org.gtstore.proto.ReplyBatch;
import org.gtstore.proto.ScanRequest;
import org.gtstore.proto.ScanResponse;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.PartitionSeq;
import org.gtstore.proto.PingRequest;
import org.gtstore.proto.PingResponse;
import org.gtstore.proto.StatsRequest;
import org.gtstore.proto.StatsResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data server's gRPC service, a thin adapter. It runs on the transport threads
 * ({@code directExecutor}), so no handler blocks: the batches of a Session stream go to the
 * driver's queue ({@link ClientSession}, one queue insertion each), Chain
 * streams to the {@link GrpcChainTransport}, Ping reads volatile state, and GetStats (the process
 * id and the counts of what was sent, and unless {@code counts_only} a store scan) runs on its
 * own executor.
 */
public final class DataServiceImpl extends DataServiceGrpc.DataServiceImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(DataServiceImpl.class);

    private final RequestSink sink;
    private final GrpcChainTransport transport;
    private final ServerView view;
    private final Executor statsExecutor;
    private final LongAdder puts = new LongAdder();
    private final LongAdder gets = new LongAdder();
    private final LongAdder scans = new LongAdder();
    private final LongAdder replyMessages = new LongAdder();
    private final LongAdder replies = new LongAdder();

    public DataServiceImpl(RequestSink sink, GrpcChainTransport transport, ServerView view,
            Executor statsExecutor) {
        this.sink = sink;
        this.transport = transport;
        this.view = view;
        this.statsExecutor = statsExecutor;
    }

    @Override
    public StreamObserver<ClientBatch> session(StreamObserver<ReplyBatch> responder) {
        return new ClientSession(view.serverId(), (batch, session) -> {
            int n = batch.getOpsCount();
            int putCount = 0;
            for (int i = 0; i < n; i++) {
                if (batch.getOps(i).hasPut()) {
                    putCount++;
                }
            }
            puts.add(putCount);
            gets.add(n - putCount);
            sink.submitBatch(batch, session);
        }, responder, sink.driverExecutor(), n -> {
            replyMessages.increment();
            replies.add(n);
        });
    }

    @Override
    public void scan(ScanRequest request, StreamObserver<ScanResponse> reply) {
        scans.increment();
        sink.submitScan(request, reply);
    }

    @Override
    public StreamObserver<ChainMessage> chain(StreamObserver<ChainMessage> responder) {
        return transport.acceptInbound(responder);
    }

    @Override
    public void ping(PingRequest request, StreamObserver<PingResponse> reply) {
        reply.onNext(PingResponse.newBuilder().setServerId(view.serverId())
                .setEpoch(view.epoch()).setIncarnation(view.incarnation()).build());
        reply.onCompleted();
    }

    @Override
    public void getStats(StatsRequest request, StreamObserver<StatsResponse> reply) {
        statsExecutor.execute(() -> {
            try {
                StatsResponse.Builder b = counts();
                if (!request.getCountsOnly()) {
                    addStoreCounts(b);
                }
                reply.onNext(b.build());
                reply.onCompleted();
            } catch (RuntimeException e) {
                LOG.warn("[{}] GetStats failed", view.serverId(), e);
                reply.onError(io.grpc.Status.INTERNAL.withDescription(e.toString())
                        .asRuntimeException());
            }
        });
    }

    /** Client requests received since the process started: puts (deletes too), gets, scans. */
    public record RequestCounts(long puts, long gets, long scans) {
    }

    public RequestCounts requestCounts() {
        return new RequestCounts(puts.sum(), gets.sum(), scans.sum());
    }

    /** The identity, the pid and the counters: cheap. */
    private StatsResponse.Builder counts() {
        GrpcChainTransport.SendCounts sent = transport.sendCounts();
        return StatsResponse.newBuilder().setServerId(view.serverId()).setEpoch(view.epoch())
                .setPuts(puts.sum()).setGets(gets.sum()).setPid(ProcessHandle.current().pid())
                .setChainMessages(sent.messages()).setChainFlushes(sent.flushes())
                .setUpdateMessages(sent.updateMessages()).setUpdates(sent.updates())
                .setReplyMessages(replyMessages.sum()).setReplies(replies.sum())
                .setPasses(view.passes());
    }

    /** The key counts (a scan of the store) and the applied seq of every held partition. */
    private void addStoreCounts(StatsResponse.Builder b) {
        long headed = 0;
        long held = 0;
        var headedSet = view.headedPartitions();
        for (int p : view.heldPartitions()) {
            long n = view.liveKeys(p);
            held += n;
            if (headedSet.contains(p)) {
                headed += n;
            }
        }
        b.setKeysHeaded(headed).setKeysHeld(held);
        Map<Integer, Long> applied = view.appliedSeqs();
        for (int p : new TreeSet<>(view.heldPartitions())) {
            b.addApplied(PartitionSeq.newBuilder().setPartition(p)
                    .setSeq(applied.getOrDefault(p, 0L)));
        }
    }
}
