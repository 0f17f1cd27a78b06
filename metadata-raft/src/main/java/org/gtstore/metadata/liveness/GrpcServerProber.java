package org.gtstore.metadata.liveness;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.ConnectException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.PingRequest;
import org.gtstore.proto.PingResponse;
import org.gtstore.proto.TransportSecurity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes a data server with {@code DataService.Ping} under a short deadline. Each probe uses a
 * fresh channel: a cached channel would remember an earlier connection failure (gRPC's
 * reconnect back-off) and report a server that has since come back as refused.
 */
public final class GrpcServerProber implements ServerProber {

    private static final Logger LOG = LoggerFactory.getLogger(GrpcServerProber.class);

    private final String nodeId;
    private final long probeTimeoutMs;
    private final TransportSecurity security;

    public GrpcServerProber(String nodeId, long probeTimeoutMs, TransportSecurity security) {
        if (probeTimeoutMs <= 0) {
            throw new IllegalArgumentException("probeTimeoutMs <= 0: " + probeTimeoutMs);
        }
        this.nodeId = nodeId;
        this.probeTimeoutMs = probeTimeoutMs;
        this.security = security;
    }

    @Override
    public CompletableFuture<ProbeResult> probe(String address) {
        CompletableFuture<ProbeResult> result = new CompletableFuture<>();
        ManagedChannel channel;
        try {
            channel = NettyChannelBuilder.forTarget(address, security.channelCredentials())
                    .intercept(security.tokenSender()).build();
        } catch (RuntimeException e) {
            LOG.warn("[{}] cannot probe bad address {}: {}", nodeId, address, e.toString());
            result.complete(ProbeResult.NO_ANSWER);
            return result;
        }
        DataServiceGrpc.newStub(channel).withDeadlineAfter(probeTimeoutMs, TimeUnit.MILLISECONDS)
                .ping(PingRequest.getDefaultInstance(), new StreamObserver<PingResponse>() {
                    @Override
                    public void onNext(PingResponse value) {
                        result.complete(ProbeResult.REACHABLE);
                    }

                    @Override
                    public void onError(Throwable t) {
                        result.complete(classify(t));
                    }

                    @Override
                    public void onCompleted() {
                        result.complete(ProbeResult.REACHABLE);
                    }
                });
        return result.whenComplete((r, t) -> {
            channel.shutdownNow();
            LOG.info("[{}] probe of {}: {}", nodeId, address, r);
        });
    }

    /**
     * Only a refused connection proves the process is gone: the server's host answered that
     * nothing listens on the port. Anything else proves nothing: a timeout, and also "no route
     * to host" or "network is unreachable", which a cut link gives while the server may still
     * be serving behind it with its lease.
     */
    static ProbeResult classify(Throwable t) {
        Status status = Status.fromThrowable(t);
        if (status.getCode() == Status.Code.UNAVAILABLE) {
            for (Throwable c = t; c != null; c = c.getCause()) {
                if (c instanceof ConnectException && isRefusal(c.getMessage())) {
                    return ProbeResult.REFUSED;
                }
            }
        }
        if (t instanceof StatusRuntimeException && status.getCode() == Status.Code.UNIMPLEMENTED) {
            return ProbeResult.REACHABLE;
        }
        return ProbeResult.NO_ANSWER;
    }

    /**
     * ECONNREFUSED, as Netty and the JDK word it. Netty reports every failed connect, a timeout
     * or an unreachable host too, as a ConnectException; only the message tells them apart.
     */
    static boolean isRefusal(String message) {
        return message != null && message.contains("Connection refused");
    }
}
