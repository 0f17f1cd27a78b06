package org.gtstore.proto;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Counts the unary gRPC calls a server answers, per method and status code
 * ({@code gtstore_grpc_calls_total}), and times them ({@code gtstore_grpc_call_seconds}). The
 * long-lived streams (a client session, a chain stream, a map watch) are counted when they end,
 * not timed: their length says nothing of a request's.
 */
public final class GrpcCallMetrics implements ServerInterceptor {
    private final Counter calls;
    private final Histogram seconds;

    public GrpcCallMetrics(PrometheusRegistry registry) {
        this.calls = Counter.builder().name("gtstore_grpc_calls_total")
                .help("gRPC calls answered, by method and status code")
                .labelNames("method", "code").register(registry);
        this.seconds = Histogram.builder().name("gtstore_grpc_call_seconds")
                .help("Time to answer a unary gRPC call, by method")
                .labelNames("method").register(registry);
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
        String method = call.getMethodDescriptor().getBareMethodName();
        boolean unary = call.getMethodDescriptor().getType() == MethodType.UNARY;
        long start = System.nanoTime();
        return next.startCall(new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                calls.labelValues(method, status.getCode().name()).inc();
                if (unary) {
                    seconds.labelValues(method).observe((System.nanoTime() - start) / 1e9);
                }
                super.close(status, trailers);
            }
        }, headers);
    }
}
