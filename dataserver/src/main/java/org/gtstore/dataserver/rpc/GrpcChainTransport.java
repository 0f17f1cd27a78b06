package org.gtstore.dataserver.rpc;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.gtstore.dataserver.chain.Outbound;
import org.gtstore.dataserver.chain.StreamKind;
import org.gtstore.proto.ChainMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC {@link ChainTransport}: one outbound bidi stream per successor (opened here, re-opened
 * with exponential back-off) and one inbound stream per predecessor (opened by it, accepted by
 * {@link DataServiceImpl}). A reply to a message goes back on the stream it came on.
 *
 * <p>When the stream to a successor fails with {@code UNAVAILABLE} (nothing listening: the
 * process is gone) the metadata is told at once, rate-limited per peer.
 *
 * <p>It counts what it sends (messages, flushes, update batches and the updates in them) for
 * the stats RPC: cheap adders written on the driver thread and read by the stats thread.
 */
public final class GrpcChainTransport implements ChainTransport {
    /** Messages of one inbound chain stream asked for or waiting for the driver, at most. */
    static final int INBOUND_MESSAGES_AHEAD = 16;
    private static final Logger LOG = LoggerFactory.getLogger(GrpcChainTransport.class);

    private final String selfId;
    private final ChainListener listener;
    private final UnreachableReporter reporter;
    private final ScheduledExecutorService scheduler;
    private final Function<String, ManagedChannel> channels;
    private final long backoffMinMs;
    private final long backoffMaxMs;
    private final Map<String, OutboundLink> outbound = new HashMap<>();
    private final Map<String, InboundStream> inbound = new HashMap<>();
    private final Map<String, Long> lastReportNanos = new HashMap<>();
    private final LongAdder messagesSent = new LongAdder();
    private final LongAdder flushes = new LongAdder();
    private final LongAdder updateMessagesSent = new LongAdder();
    private final LongAdder updatesSent = new LongAdder();
    private final OutboundLink.BrokenHandler linkEvents = new OutboundLink.BrokenHandler() {
        @Override
        public void onBroken(OutboundLink link, long generation, Status status) {
            GrpcChainTransport.this.onBroken(link, generation, status);
        }

        @Override
        public void onAnswered(OutboundLink link, long generation) {
            GrpcChainTransport.this.onAnswered(link, generation);
        }
    };

    /**
     * @param channels opens the channel to a successor's address (normally
     *     {@link IoLoop#channel}, so the stream runs on the server's one I/O thread)
     */
    public GrpcChainTransport(String selfId, ChainListener listener, UnreachableReporter reporter,
            ScheduledExecutorService scheduler, Function<String, ManagedChannel> channels,
            long backoffMinMs, long backoffMaxMs) {
        this.selfId = selfId;
        this.channels = channels;
        this.listener = listener;
        this.reporter = reporter;
        this.scheduler = scheduler;
        this.backoffMinMs = backoffMinMs;
        this.backoffMaxMs = backoffMaxMs;
    }

    @Override
    public void setSuccessors(Map<String, String> addresses) {
        Iterator<Map.Entry<String, OutboundLink>> it = outbound.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, OutboundLink> e = it.next();
            if (!Objects.equals(addresses.get(e.getKey()), e.getValue().address)) {
                LOG.info("[{}] closing the chain stream to {}", selfId, e.getKey());
                e.getValue().close();
                it.remove();
            }
        }
        for (Map.Entry<String, String> e : addresses.entrySet()) {
            if (!outbound.containsKey(e.getKey())) {
                LOG.info("[{}] opening the chain stream to {} at {}", selfId, e.getKey(),
                        e.getValue());
                OutboundLink link = new OutboundLink(e.getKey(), e.getValue(),
                        channels.apply(e.getValue()), listener, linkEvents, backoffMinMs);
                outbound.put(e.getKey(), link);
                link.open();
            }
        }
    }

    @Override
    public void send(Outbound o) {
        if (trySend(o)) {
            counted(o.message());
        }
    }

    @Override
    public void sendAll(List<Outbound> messages) {
        boolean sent = false;
        for (Outbound o : messages) {
            if (trySend(o)) {
                counted(o.message());
                sent = true;
            }
        }
        if (sent) {
            flushes.increment();
        }
    }

    /** What this transport has sent since it was made; any thread. */
    public SendCounts sendCounts() {
        return new SendCounts(messagesSent.sum(), flushes.sum(), updateMessagesSent.sum(),
                updatesSent.sum());
    }

    /**
     * Chain messages sent, the passes that sent them ({@link #sendAll} calls that sent any),
     * and the UpdateBatch messages among them with the updates they carried.
     */
    public record SendCounts(long messages, long flushes, long updateMessages, long updates) {
    }

    private void counted(ChainMessage m) {
        messagesSent.increment();
        if (m.hasUpdates()) {
            updateMessagesSent.increment();
            updatesSent.add(m.getUpdates().getUpdatesCount());
        }
    }

    /** Sends on the stream the message belongs on; false if it was dropped. */
    private boolean trySend(Outbound o) {
        if (o.stream() == StreamKind.OUTBOUND) {
            OutboundLink link = outbound.get(o.peer());
            if (link == null || !link.send(o.message())) {
                LOG.debug("[{}] no stream to successor {}: dropped {}", selfId, o.peer(),
                        o.message().getBodyCase());
                return false;
            }
            return true;
        }
        InboundStream stream = inbound.get(o.peer());
        if (stream == null) {
            LOG.debug("[{}] no stream from predecessor {}: dropped {}", selfId, o.peer(),
                    o.message().getBodyCase());
            return false;
        }
        try {
            stream.responder.onNext(o.message());
            return true;
        } catch (StatusRuntimeException | IllegalStateException e) {
            LOG.debug("[{}] stream from {} is gone: {}", selfId, o.peer(), e.getMessage());
            inbound.remove(o.peer(), stream);
            return false;
        }
    }

    /**
     * Accepts a stream a predecessor opened (called by the gRPC service, on a gRPC thread). The
     * first message names the peer; from then on replies to it go on this stream. A stream that
     * another one from the same peer displaced (a forged or stale stream, since closed) takes
     * the replies back with its next message.
     */
    public StreamObserver<ChainMessage> acceptInbound(StreamObserver<ChainMessage> responder) {
        ServerCallStreamObserver<ChainMessage> s =
                (ServerCallStreamObserver<ChainMessage>) responder;
        s.setOnCancelHandler(() -> {
            // Cancellation is handled by onError below; this only silences onNext.
        });
        return new InboundStream(s);
    }

    /**
     * One stream a predecessor opened to this server, flow-controlled: at most
     * {@link #INBOUND_MESSAGES_AHEAD} of its messages wait for the driver (each at most the
     * inbound message limit), so a predecessor faster than this server's driver is held back.
     */
    private final class InboundStream implements StreamObserver<ChainMessage> {
        private final StreamObserver<ChainMessage> responder;
        private final InboundWindow window;
        private final Runnable handled;
        private String peer;
        /** Replies to the peer go on this stream; false until registered and once displaced. */
        private volatile boolean registered;

        InboundStream(ServerCallStreamObserver<ChainMessage> responder) {
            this.responder = responder;
            this.window = new InboundWindow(responder, INBOUND_MESSAGES_AHEAD, Long.MAX_VALUE);
            this.handled = () -> window.handled(0);
        }

        @Override
        public void onNext(ChainMessage m) {
            if (peer == null) {
                peer = m.getFrom();
            }
            if (!registered) {
                registered = true;
                listener.driverExecutor().execute(() -> registerInbound(peer, this));
            }
            window.received(0);
            listener.onChainMessage(m, StreamKind.INBOUND, handled);
        }

        @Override
        public void onError(Throwable t) {
            window.close();
            closed();
        }

        @Override
        public void onCompleted() {
            closed();
            try {
                responder.onCompleted();
            } catch (RuntimeException e) {
                // Already closed by the peer; nothing to tell it.
            }
        }

        private void closed() {
            String p = peer;
            if (p != null) {
                listener.driverExecutor().execute(() -> inbound.remove(p, this));
            }
        }
    }

    private void registerInbound(String peer, InboundStream stream) {
        InboundStream old = inbound.put(peer, stream);
        if (old != null && old != stream) {
            old.registered = false;
            LOG.info("[{}] {} re-opened its chain stream", selfId, peer);
        }
    }

    private void onBroken(OutboundLink link, long generation, Status status) {
        if (!link.isCurrent(generation) || outbound.get(link.peer) != link) {
            return;
        }
        link.markBroken();
        listener.onPeerDisconnected(link.peer);
        long delayMs = link.backoffMs;
        link.backoffMs = Math.min(backoffMaxMs, link.backoffMs * 2);
        LOG.warn("[{}] chain stream to {} broke ({}: {}); reconnecting in {} ms", selfId,
                link.peer, status.getCode(), status.getDescription(), delayMs);
        if (status.getCode() == Status.Code.UNAVAILABLE) {
            maybeReport(link.peer, status);
        }
        scheduler.schedule(() -> listener.driverExecutor().execute(() -> reopen(link)),
                delayMs, TimeUnit.MILLISECONDS);
    }

    private void reopen(OutboundLink link) {
        if (outbound.get(link.peer) != link) {
            return;
        }
        link.open();
        listener.onPeerConnected(link.peer);
    }

    private void onAnswered(OutboundLink link, long generation) {
        if (link.isCurrent(generation)) {
            link.backoffMs = backoffMinMs;
        }
    }

    private void maybeReport(String peer, Status status) {
        long now = System.nanoTime();
        Long last = lastReportNanos.get(peer);
        if (last != null && now - last < TimeUnit.MILLISECONDS.toNanos(backoffMaxMs)) {
            return;
        }
        lastReportNanos.put(peer, now);
        String detail = status.getCause() != null ? status.getCause().toString()
                : String.valueOf(status.getDescription());
        reporter.reportUnreachable(peer, detail);
    }

    @Override
    public void close() {
        outbound.values().forEach(OutboundLink::close);
        outbound.clear();
        for (InboundStream r : inbound.values()) {
            try {
                r.responder.onCompleted();
            } catch (RuntimeException e) {
                // The stream is gone already.
            }
        }
        inbound.clear();
    }
}
