package org.gtstore.client.internal;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetMapResponse;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.WatchMapRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code WatchMap} stream that outlives the member it is connected to. When the stream ends or
 * fails it reconnects to the next member, asking for every epoch after the last one it
 * delivered, so the listener sees each epoch at most once and never an older epoch than one it
 * has seen. The first reconnect after a healthy stream is immediate; further ones back off
 * (doubling from {@value #RECONNECT_DELAY_INITIAL_MS} ms up to {@value #RECONNECT_DELAY_MAX_MS}
 * ms) until a member answers again.
 *
 * <p>All state lives on one thread, the given single-threaded scheduler: gRPC callbacks are
 * handed to it, and the listener runs on it, in epoch order.
 */
public final class MapWatchStream implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MapWatchStream.class);
    static final long RECONNECT_DELAY_INITIAL_MS = 20;
    static final long RECONNECT_DELAY_MAX_MS = 1000;

    private final MetadataConnector connector;
    private final ScheduledExecutorService thread;
    private final Consumer<PartitionMap> onMap;
    private final BiConsumer<String, String> onConnectionLost;

    // Touched only on `thread`.
    private long deliveredEpoch;
    private int generation;
    private int failuresInARow;
    private int memberIndex;
    private String address;
    private ClientCallStreamObserver<WatchMapRequest> call;
    private volatile boolean closed;

    public MapWatchStream(MetadataConnector connector, ScheduledExecutorService thread,
            long fromEpoch, Consumer<PartitionMap> onMap,
            BiConsumer<String, String> onConnectionLost) {
        this.connector = connector;
        this.thread = thread;
        this.onMap = onMap;
        this.onConnectionLost = onConnectionLost;
        this.deliveredEpoch = fromEpoch - 1;
        this.memberIndex = Math.max(0, connector.addresses().indexOf(connector.preferred()));
    }

    /** Opens the first stream. */
    public void start() {
        thread.execute(this::connect);
    }

    /** The newest epoch delivered so far (fromEpoch - 1 before the first). */
    public long deliveredEpoch() {
        return deliveredEpoch;
    }

    private void connect() {
        if (closed) {
            return;
        }
        List<String> addresses = connector.addresses();
        address = addresses.get(memberIndex % addresses.size());
        int gen = ++generation;
        WatchMapRequest request = WatchMapRequest.newBuilder()
                .setFromEpoch(deliveredEpoch + 1).build();
        LOG.debug("watching the map at {} from epoch {}", address, deliveredEpoch + 1);
        try {
            connector.stub(address).watchMap(request, new Observer(gen));
        } catch (RuntimeException e) {
            lost(gen, "cannot open a stream: " + e);
        }
    }

    private void received(int gen, GetMapResponse response) {
        if (gen != generation || closed) {
            return;
        }
        if (response.getCode() != ErrorCode.OK) {
            cancelCurrent();
            lost(gen, "answered " + response.getCode());
            return;
        }
        failuresInARow = 0;
        PartitionMap map = response.getMap();
        if (map.getEpoch() <= deliveredEpoch) {
            return;
        }
        deliveredEpoch = map.getEpoch();
        try {
            onMap.accept(map);
        } catch (RuntimeException e) {
            LOG.warn("map watch listener failed on epoch {}", map.getEpoch(), e);
        }
    }

    private void lost(int gen, String reason) {
        if (gen != generation || closed) {
            return;
        }
        generation++;
        call = null;
        String from = address;
        LOG.debug("map watch at {} lost: {}", from, reason);
        try {
            onConnectionLost.accept(from, reason);
        } catch (RuntimeException e) {
            LOG.warn("map watch listener failed on a lost connection", e);
        }
        connector.resetBackoff(from);
        memberIndex++;
        long delayMs = failuresInARow == 0 ? 0 : Math.min(RECONNECT_DELAY_MAX_MS,
                RECONNECT_DELAY_INITIAL_MS << Math.min(failuresInARow - 1, 16));
        failuresInARow++;
        thread.schedule(this::connect, delayMs, TimeUnit.MILLISECONDS);
    }

    private void cancelCurrent() {
        ClientCallStreamObserver<WatchMapRequest> c = call;
        call = null;
        if (c != null) {
            c.cancel("map watch moved on", null);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.execute(this::cancelCurrent);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("map watch closed after its thread stopped");
        }
    }

    private final class Observer implements ClientResponseObserver<WatchMapRequest,
            GetMapResponse> {
        private final int gen;

        Observer(int gen) {
            this.gen = gen;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<WatchMapRequest> requestStream) {
            // Called on `thread`, inside watchMap(), before any response can arrive.
            call = requestStream;
        }

        @Override
        public void onNext(GetMapResponse value) {
            execute(() -> received(gen, value));
        }

        @Override
        public void onError(Throwable t) {
            execute(() -> lost(gen, Channels.describe(t, 0)));
        }

        @Override
        public void onCompleted() {
            execute(() -> lost(gen, "the member ended the stream"));
        }

        private void execute(Runnable r) {
            if (closed) {
                return;
            }
            try {
                thread.execute(r);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.debug("map watch event after its thread stopped");
            }
        }
    }
}
