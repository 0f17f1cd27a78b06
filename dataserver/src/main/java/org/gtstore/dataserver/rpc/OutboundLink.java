package org.gtstore.dataserver.rpc;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.gtstore.dataserver.chain.StreamKind;
import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.DataServiceGrpc;

/**
 * The long-lived stream this server opened to one successor. Updates and hellos go down it;
 * hello replies, acks and rejections come back. When it breaks it is re-opened with back-off.
 *
 * <p>Each open stream has a generation number; callbacks of an older stream (which gRPC may
 * deliver after a newer one is open) are ignored. State changes happen on the driver thread.
 */
final class OutboundLink {
    /** What the transport does when a stream of this link breaks or proves it works. */
    interface BrokenHandler {
        void onBroken(OutboundLink link, long generation, Status status);

        /** The successor answered on this stream: the back-off starts afresh. */
        void onAnswered(OutboundLink link, long generation);
    }

    final String peer;
    final String address;
    private final ManagedChannel channel;
    private final ChainListener listener;
    private final BrokenHandler brokenHandler;
    private StreamObserver<ChainMessage> requests;
    private long generation;
    private boolean closed;
    long backoffMs;

    OutboundLink(String peer, String address, ManagedChannel channel, ChainListener listener,
            BrokenHandler brokenHandler, long backoffMs) {
        this.peer = peer;
        this.address = address;
        this.listener = listener;
        this.brokenHandler = brokenHandler;
        this.backoffMs = backoffMs;
        this.channel = channel;
    }

    /** Opens a new stream, replacing any earlier one. Driver thread. */
    void open() {
        long g = ++generation;
        requests = DataServiceGrpc.newStub(channel).chain(new StreamObserver<>() {
            private boolean answered;

            @Override
            public void onNext(ChainMessage m) {
                if (!answered) {
                    answered = true;
                    listener.driverExecutor().execute(() -> brokenHandler.onAnswered(
                            OutboundLink.this, g));
                }
                listener.onChainMessage(m, StreamKind.OUTBOUND, null);
            }

            @Override
            public void onError(Throwable t) {
                Status s = Status.fromThrowable(t);
                listener.driverExecutor().execute(() -> brokenHandler.onBroken(
                        OutboundLink.this, g, s));
            }

            @Override
            public void onCompleted() {
                listener.driverExecutor().execute(() -> brokenHandler.onBroken(
                        OutboundLink.this, g, Status.UNAVAILABLE.withDescription(
                                "successor closed the stream")));
            }
        });
    }

    boolean isCurrent(long g) {
        return !closed && g == generation;
    }

    /** The stream broke: drop it until re-opened. Driver thread. */
    void markBroken() {
        requests = null;
    }

    boolean isOpen() {
        return requests != null;
    }

    /** Sends on the open stream; false if there is none. Driver thread. */
    boolean send(ChainMessage m) {
        if (requests == null) {
            return false;
        }
        requests.onNext(m);
        return true;
    }

    void close() {
        closed = true;
        if (requests != null) {
            try {
                requests.onCompleted();
            } catch (RuntimeException e) {
                // The stream is already broken; the channel shutdown below ends it either way.
            }
            requests = null;
        }
        Channels.close(channel);
    }
}
