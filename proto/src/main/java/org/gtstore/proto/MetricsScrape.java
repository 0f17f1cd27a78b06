package org.gtstore.proto;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One scrape of a {@link MetricsEndpoint}, in the Prometheus protobuf format and parsed with
 * the Prometheus client's own message classes: the metric families by name, and the value of
 * one sample.
 */
public final class MetricsScrape {
    private static final String PROTOBUF = "application/vnd.google.protobuf;"
            + " proto=io.prometheus.client.MetricFamily; encoding=delimited";

    private final Map<String, Metrics.MetricFamily> families;

    private MetricsScrape(Map<String, Metrics.MetricFamily> families) {
        this.families = families;
    }

    /** Scrapes {@code http://host:port/metrics}, waiting at most {@code timeoutMs}. */
    public static MetricsScrape of(String host, int port, int timeoutMs) throws IOException {
        HttpURLConnection conn = (HttpURLConnection) URI.create("http://" + host + ":" + port
                + "/metrics").toURL().openConnection();
        conn.setRequestProperty("Accept", PROTOBUF);
        conn.setConnectTimeout(timeoutMs);
        conn.setReadTimeout(timeoutMs);
        if (conn.getResponseCode() != 200) {
            throw new IOException("metrics at " + host + ":" + port + " answered HTTP "
                    + conn.getResponseCode());
        }
        Map<String, Metrics.MetricFamily> out = new HashMap<>();
        try (InputStream in = conn.getInputStream()) {
            for (Metrics.MetricFamily f = Metrics.MetricFamily.parseDelimitedFrom(in); f != null;
                    f = Metrics.MetricFamily.parseDelimitedFrom(in)) {
                out.put(f.getName(), f);
            }
        } finally {
            conn.disconnect();
        }
        return new MetricsScrape(out);
    }

    public Map<String, Metrics.MetricFamily> families() {
        return families;
    }

    /**
     * The value of the counter or gauge sample of family {@code name} (a counter's name ends in
     * {@code _total}) whose labels are exactly {@code labels}; empty if there is none.
     */
    public Optional<Double> value(String name, Map<String, String> labels) {
        Metrics.MetricFamily f = families.get(name);
        if (f == null) {
            return Optional.empty();
        }
        for (Metrics.Metric m : f.getMetricList()) {
            Map<String, String> have = new HashMap<>();
            m.getLabelList().forEach(l -> have.put(l.getName(), l.getValue()));
            if (have.equals(labels)) {
                return Optional.of(m.hasCounter() ? m.getCounter().getValue()
                        : m.getGauge().getValue());
            }
        }
        return Optional.empty();
    }
}
