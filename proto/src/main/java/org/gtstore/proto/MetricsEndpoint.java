package org.gtstore.proto;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Prometheus endpoint of a server process: {@code http://HOST:PORT/metrics} in the text
 * format (or protobuf, as a scraper asks), served by the Prometheus client's own HTTP server on
 * one daemon thread, with the process's JVM metrics (memory, GC, threads) besides its own.
 * Off unless a port is given; it binds loopback unless told another address, since the
 * metrics name servers, partitions and addresses.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private final HTTPServer server;
    private final ExecutorService executor;

    private MetricsEndpoint(HTTPServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * The {@code --metrics} flag as an address: a bare port means 127.0.0.1; empty (off) and
     * {@code host:port} stay as they are. Throws IllegalArgumentException for anything else.
     */
    public static String address(String flag) {
        if (flag.isEmpty()) {
            return flag;
        }
        String hostPort = flag.contains(":") ? flag : "127.0.0.1:" + flag;
        int colon = hostPort.lastIndexOf(':');
        if (colon == 0 || !hostPort.substring(colon + 1).matches("\\d{1,5}")
                || Integer.parseInt(hostPort.substring(colon + 1)) > 65535) {
            throw new IllegalArgumentException("--metrics expects [host:]port, got '" + flag
                    + "'");
        }
        return hostPort;
    }

    /** Starts serving {@code registry} on {@code hostPort}, an {@link #address}. */
    public static MetricsEndpoint start(String hostPort, PrometheusRegistry registry) {
        int colon = hostPort.lastIndexOf(':');
        return start(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1)), registry);
    }

    /**
     * Starts serving {@code registry} on {@code host:port} (port 0: any free one).
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static MetricsEndpoint start(String host, int port, PrometheusRegistry registry) {
        JvmMetrics.builder().register(registry);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        });
        try {
            HTTPServer server = HTTPServer.builder().hostname(host).port(port)
                    .registry(registry).executorService(executor).buildAndStart();
            return new MetricsEndpoint(server, executor);
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot serve metrics on " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
    }

    /** The port it listens on. */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
        executor.shutdownNow();
    }
}
