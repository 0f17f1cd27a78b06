package org.gtstore.metadata.liveness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Status;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.gtstore.metadata.liveness.ServerProber.ProbeResult;
import org.gtstore.proto.TransportSecurity;
import org.junit.jupiter.api.Test;

class GrpcServerProberTest {

    @Test
    void aPortNobodyListensOnIsRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ProbeResult r = new GrpcServerProber("test", 2000, TransportSecurity.plaintext()).probe("127.0.0.1:" + port).get();
        assertEquals(ProbeResult.REFUSED, r);
    }

    @Test
    void aServerThatAcceptsButNeverAnswersProvesNothing() throws Exception {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0), 50);
            ProbeResult r = new GrpcServerProber("test", 200, TransportSecurity.plaintext())
                    .probe("127.0.0.1:" + s.getLocalPort()).get();
            assertEquals(ProbeResult.NO_ANSWER, r);
        }
    }

    @Test
    void onlyARefusalAmongConnectFailuresMeansGone() {
        assertEquals(ProbeResult.REFUSED, classify("Connection refused: /10.0.0.7:4000"));
        assertEquals(ProbeResult.NO_ANSWER, classify("No route to host: /10.0.0.7:4000"));
        assertEquals(ProbeResult.NO_ANSWER, classify("Network is unreachable"));
        assertEquals(ProbeResult.NO_ANSWER,
                classify("connection timed out after 300 ms: /10.0.0.7:4000"));
        assertEquals(ProbeResult.NO_ANSWER, GrpcServerProber.classify(
                Status.DEADLINE_EXCEEDED.asRuntimeException()));
    }

    private static ProbeResult classify(String connectMessage) {
        IOException cause = new ConnectException(connectMessage);
        return GrpcServerProber.classify(Status.UNAVAILABLE.withCause(cause)
                .asRuntimeException());
    }
}
