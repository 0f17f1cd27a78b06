package org.gtstore.dataserver.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.stub.ServerCallStreamObserver;
import org.junit.jupiter.api.Test;

class InboundWindowTest {

    /** The parts of a server call the window uses. */
    private static final class FakeCall extends ServerCallStreamObserver<Object> {
        int requested;
        boolean autoRequestDisabled;
        boolean ready = true;
        Runnable onReady;

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void setOnReadyHandler(Runnable r) {
            onReady = r;
        }

        @Override
        public void disableAutoInboundFlowControl() {
            autoRequestDisabled = true;
        }

        @Override
        public void disableAutoRequest() {
            autoRequestDisabled = true;
        }

        @Override
        public void request(int count) {
            requested += count;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public void setOnCancelHandler(Runnable r) {
        }

        @Override
        public void setCompression(String compression) {
        }

        @Override
        public void setMessageCompression(boolean enable) {
        }

        @Override
        public void onNext(Object value) {
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    }

    @Test
    void asksForAWindowAndTopsItUpOnlyAsTheDriverHandlesMessages() {
        FakeCall call = new FakeCall();
        InboundWindow w = new InboundWindow(call, 8, Long.MAX_VALUE);
        assertTrue(call.autoRequestDisabled);
        assertEquals(8, call.requested);
        for (int i = 0; i < 8; i++) {
            w.received(0);
        }
        assertEquals(8, call.requested, "nothing more while the driver has taken nothing");
        for (int i = 0; i < 3; i++) {
            w.handled(0);
        }
        assertEquals(8, call.requested, "not before half the window is free");
        w.handled(0);
        assertEquals(12, call.requested, "topped up to the window");
    }

    @Test
    void asksForNothingWhileThePeerDoesNotReadItsAnswers() {
        FakeCall call = new FakeCall();
        call.ready = false;
        InboundWindow w = new InboundWindow(call, 8, Long.MAX_VALUE);
        assertEquals(0, call.requested);
        call.ready = true;
        call.onReady.run();
        assertEquals(8, call.requested);
        w.received(0);
        call.ready = false;
        for (int i = 0; i < 7; i++) {
            w.received(0);
        }
        w.handled(0);
        w.handled(0);
        w.handled(0);
        w.handled(0);
        w.handled(0);
        assertEquals(8, call.requested, "the peer reads nothing: nothing is asked");
    }

    @Test
    void bytesWaitingForTheDriverStopTheAsking() {
        FakeCall call = new FakeCall();
        InboundWindow w = new InboundWindow(call, 8, 1000);
        w.received(600);
        w.received(600);
        for (int i = 0; i < 6; i++) {
            w.dropped();
        }
        assertEquals(8, call.requested, "1,200 bytes wait: none asked though the count is free");
        w.handled(600);
        assertEquals(8 + 7, call.requested);
    }
}
