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

    public GrpcServerProber(String nodeId, long probeTimeoutMs) {
        if (probeTimeoutMs <= 0) {
            throw new IllegalArgumentException("probeTimeoutMs <= 0: " + probeTimeoutMs);
        }
        this.nodeId = nodeId;
        this.probeTimeoutMs = probeTimeoutMs;
    }

    @Override
    public CompletableFuture<ProbeResult> probe(String address) {
        CompletableFuture<ProbeResult> result = new CompletableFuture<>();
        ManagedChannel channel;
        try {
            channel = NettyChannelBuilder.forTarget(address).usePlaintext().build();
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

    /** Only a refused connection proves the process is gone; anything else proves nothing. */
    static ProbeResult classify(Throwable t) {
        Status status = Status.fromThrowable(t);
        if (status.getCode() == Status.Code.UNAVAILABLE) {
            for (Throwable c = t; c != null; c = c.getCause()) {
                // Netty's ConnectTimeoutException is a ConnectException too, but a timeout
                // proves nothing.
                if (c instanceof ConnectException
                        && !c.getClass().getSimpleName().contains("Timeout")) {
                    return ProbeResult.REFUSED;
                }
            }
        }
        if (t instanceof StatusRuntimeException && status.getCode() == Status.Code.UNIMPLEMENTED) {
            return ProbeResult.REACHABLE;
        }
        return ProbeResult.NO_ANSWER;
    }
}
