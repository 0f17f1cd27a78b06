package org.gtstore.client.internal;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.DataServiceGrpc.DataServiceStub;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived channel per data server address, shared by every request to that server, and
 * on it one {@link SessionLink} (a {@code Session} stream) that carries the puts and gets.
 * Channels and links to addresses that leave the map are closed. A sweep every
 * {@link #SWEEP_INTERVAL_MS} ms fails the operations whose own timeout passed.
 */
public final class DataChannels implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DataChannels.class);

    private final Function<String, ManagedChannel> channelFactory;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Map<String, DataServiceStub> stubs = new ConcurrentHashMap<>();
    private final Map<String, SessionLink> links = new ConcurrentHashMap<>();
    private final Executor flushExecutor;
    private final ScheduledFuture<?> sweep;
    private volatile boolean closed;

    /** How often operations on the sessions are checked for their timeout. */
    static final long SWEEP_INTERVAL_MS = 5;

    /**
     * @param flushExecutor where session batches are sent: the event loop of the channels
     *     (operations queued while it is busy go in one batch), or {@code Runnable::run}
     * @param scheduler runs the timeout sweep
     */
    public DataChannels(Function<String, ManagedChannel> channelFactory, Executor flushExecutor,
            ScheduledExecutorService scheduler) {
        this.channelFactory = channelFactory;
        this.flushExecutor = flushExecutor;
        this.sweep = scheduler.scheduleWithFixedDelay(this::expire, SWEEP_INTERVAL_MS,
                SWEEP_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /** Sends a put on the address's session; the observer gets its answer or failure. */
    public void put(String address, PutRequest request, long timeoutNanos,
            StreamObserver<PutResponse> out) {
        while (!link(address).offerPut(request, timeoutNanos, out)) {
            Thread.onSpinWait();   // a dead link is being replaced
        }
    }

    /** Sends a get on the address's session; the observer gets its answer or failure. */
    public void get(String address, GetRequest request, long timeoutNanos,
            StreamObserver<GetResponse> out) {
        while (!link(address).offerGet(request, timeoutNanos, out)) {
            Thread.onSpinWait();
        }
    }

    private SessionLink link(String address) {
        SessionLink l = links.get(address);
        if (l != null) {
            return l;
        }
        DataServiceStub s = stub(address);
        return links.computeIfAbsent(address, a -> new SessionLink(s, flushExecutor,
                dead -> links.remove(a, dead)));
    }

    private void expire() {
        long now = System.nanoTime();
        for (SessionLink l : links.values()) {
            l.expire(now);
        }
    }

    /** The stub for an address, opening its channel on first use. */
    public DataServiceStub stub(String address) {
        DataServiceStub s = stubs.get(address);
        if (s != null) {
            return s;
        }
        if (closed) {
            throw new IllegalStateException("client is closed");
        }
        return stubs.computeIfAbsent(address, a -> DataServiceGrpc.newStub(
                channels.computeIfAbsent(a, channelFactory)));
    }

    /**
     * Makes a channel that failed to connect try again at once on its next call, rather than
     * after gRPC's reconnect back-off (which grows to minutes): a server restarted at the same
     * address is then reached at once.
     */
    public void resetBackoff(String address) {
        ManagedChannel ch = channels.get(address);
        if (ch != null) {
            ch.resetConnectBackoff();
        }
    }

    /** Closes the channels to every address not in the given set. */
    public void retainOnly(Set<String> addresses) {
        for (String a : channels.keySet()) {
            if (!addresses.contains(a)) {
                SessionLink l = links.remove(a);
                if (l != null) {
                    l.retire();
                }
                stubs.remove(a);
                ManagedChannel ch = channels.remove(a);
                if (ch != null) {
                    LOG.debug("closing the channel to {}: no longer in the map", a);
                    ch.shutdown();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        sweep.cancel(false);
        for (SessionLink l : links.values()) {
            l.close();
        }
        links.clear();
        stubs.clear();
        for (ManagedChannel ch : channels.values()) {
            Channels.close(ch);
        }
        channels.clear();
    }
}
