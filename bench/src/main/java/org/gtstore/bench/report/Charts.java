package org.gtstore.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.gtstore.bench.loadbalance.BalanceStats;
import org.gtstore.bench.loadbalance.LoadBalanceResult;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Layer;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The PNG bar charts of the benchmarks, drawn with JFreeChart without a display.
 *
 * <p>AWT must be headless before anything touches the toolkit; this class sets
 * {@code java.awt.headless=true} when loaded unless the property is already set, and the
 * {@code gtctl bench} JVM passes it on the command line as well.
 */
public final class Charts {
    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;

    private static final Color BAR = new Color(0x33, 0x66, 0x99);

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Charts() {
    }

    /** Ops/s for each K, one bar per K, with the value on each bar. */
    public static JFreeChart throughput(List<ThroughputRow> rows, String subtitle) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (ThroughputRow row : rows) {
            data.addValue(row.result().opsPerSec(), "ops/s", "K=" + row.rep());
        }
        JFreeChart chart = ChartFactory.createBarChart("GTStore throughput by replication factor",
                "replication factor", "operations per second", data, PlotOrientation.VERTICAL,
                false, false, false);
        if (subtitle != null && !subtitle.isEmpty()) {
            chart.addSubtitle(new TextTitle(subtitle));
        }
        style(chart);
        return chart;
    }

    /** One bar per category (in the map's order), with the value on each bar. */
    public static JFreeChart bars(String title, String categoryAxis, String valueAxis,
            Map<String, Double> values, String subtitle) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        values.forEach((category, v) -> data.addValue(v, valueAxis, category));
        JFreeChart chart = ChartFactory.createBarChart(title, categoryAxis, valueAxis, data,
                PlotOrientation.VERTICAL, false, false, false);
        if (subtitle != null && !subtitle.isEmpty()) {
            chart.addSubtitle(new TextTitle(subtitle));
        }
        style(chart);
        return chart;
    }

    /** Keys per server, one bar per server, with a line at the mean. */
    public static JFreeChart loadBalance(LoadBalanceResult result) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Map.Entry<String, Long> e : result.keysPerServer().entrySet()) {
            data.addValue(e.getValue(), "keys", e.getKey());
        }
        JFreeChart chart = ChartFactory.createBarChart("GTStore keys per primary server",
                "server", "keys headed", data, PlotOrientation.VERTICAL, false, false, false);
        double mean = BalanceStats.of(result.keysPerServer()).mean();
        chart.addSubtitle(new TextTitle(String.format(Locale.US,
                "%,d keys, %d servers, mean %,.0f (line); max/mean %.3f, min/mean %.3f;"
                        + " counted by %s", result.keys(), result.keysPerServer().size(), mean,
                result.maxOverMean(), result.minOverMean(), result.source().label())));
        style(chart);
        chart.getCategoryPlot().addRangeMarker(new ValueMarker(mean, Color.DARK_GRAY,
                new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                        new float[] {6f, 4f}, 0f)), Layer.FOREGROUND);
        return chart;
    }

    /** Renders {@code chart} as a {@link #WIDTH} x {@link #HEIGHT} PNG. */
    public static void writePng(JFreeChart chart, Path path) throws IOException {
        ChartUtils.saveChartAsPNG(path.toFile(), chart, WIDTH, HEIGHT);
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setSeriesPaint(0, BAR);
        renderer.setMaximumBarWidth(0.12);
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator(
                "{2}", new DecimalFormat("#,##0", DecimalFormatSymbols.getInstance(Locale.US))));
        renderer.setDefaultItemLabelsVisible(true);
        plot.getRangeAxis().setUpperMargin(0.12); // Room for the labels above the bars.
    }
}
