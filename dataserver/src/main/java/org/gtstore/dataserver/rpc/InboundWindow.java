package org.gtstore.dataserver.rpc;

import io.grpc.stub.ServerCallStreamObserver;

/**
 * Flow control of one inbound stream (a client's Session, a predecessor's Chain stream): the
 * server asks gRPC for messages itself, at most {@code ahead} asked for or received and not yet
 * handled by the driver, at most {@code bytesMax} of them received, and only while the stream's
 * outbound side is ready (the peer reads what the server sends back). A peer that sends faster
 * than the driver takes its messages, or never reads its answers, is held back by HTTP/2 flow
 * control, so the driver's queue holds a bounded share of every stream.
 *
 * <p>The window is topped up once half of it is used, so gRPC is asked once per many messages.
 * Calls come from the transport thread and the driver thread (here one and the same I/O loop).
 */
final class InboundWindow {
    private final ServerCallStreamObserver<?> call;
    private final int ahead;
    private final long bytesMax;
    private int asked;
    private int pending;
    private long pendingBytes;
    private boolean closed;

    /** Takes over the call's inbound flow control and asks for the first messages. */
    InboundWindow(ServerCallStreamObserver<?> call, int ahead, long bytesMax) {
        if (ahead < 2 || bytesMax <= 0) {
            throw new IllegalArgumentException("ahead=" + ahead + " bytesMax=" + bytesMax);
        }
        this.call = call;
        this.ahead = ahead;
        this.bytesMax = bytesMax;
        call.disableAutoRequest();
        call.setOnReadyHandler(this::topUp);
        topUp();
    }

    /** A message arrived that goes to the driver; {@link #handled} follows once it is done. */
    synchronized void received(long bytes) {
        asked--;
        pending++;
        pendingBytes += bytes;
    }

    /** A message arrived that nothing handles (empty): it frees its place at once. */
    void dropped() {
        synchronized (this) {
            asked--;
        }
        topUp();
    }

    /** The driver handled a message of {@code bytes} that {@link #received} counted. */
    void handled(long bytes) {
        synchronized (this) {
            pending--;
            pendingBytes -= bytes;
        }
        topUp();
    }

    /** The stream ended: ask for nothing more. */
    synchronized void close() {
        closed = true;
    }

    /** Messages received and not handled yet (for tests). */
    synchronized int pending() {
        return pending;
    }

    /** Asks for more once half the window is free, while the peer reads what it is sent. */
    void topUp() {
        synchronized (this) {
            int outstanding = asked + pending;
            if (closed || outstanding > ahead / 2 || pendingBytes >= bytesMax
                    || !call.isReady()) {
                return;
            }
            int wanted = ahead - outstanding;
            asked += wanted;
            call.request(wanted);
        }
    }
}
