package dev.attentionkit.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The benchmark's pictures: a bar per headline contender, and log-log lines for the scaling study. */
final class Charts {
    private Charts() {}

    /** The run and machine go under the bars, not into the title: at 900 pixels a title holding both is cut off. */
    static void headline(List<ResultRow> rows, String title, String run, Path png) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(500).title(title)
            .xAxisTitle("implementation (run " + run + ")").yAxisTitle("ms per forward pass (median, lower is better)").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(15);
        chart.addSeries("ms", rows.stream().map(ResultRow::implementation).collect(Collectors.toList()),
            rows.stream().map(ResultRow::msMedian).collect(Collectors.toList()));
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** One line per implementation, log-log: a slope of 2 is O(n²), a slope of 1 is O(n). */
    static void scaling(List<ResultRow> rows, boolean memory, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(600)
            .title(memory ? "Peak extra memory vs sequence length (1 head of 64, causal)"
                          : "Time vs sequence length (1 head of 64, causal)")
            .xAxisTitle("tokens (log)").yAxisTitle(memory ? "peak extra MiB (log)" : "ms per call (log)").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        for (String impl : rows.stream().map(ResultRow::implementation).distinct().collect(Collectors.toList())) {
            List<ResultRow> mine = rows.stream().filter(r -> r.implementation().equals(impl))
                .filter(r -> !Double.isNaN(memory ? r.peakExtraMib() : r.msMedian())).collect(Collectors.toList());
            if (mine.isEmpty()) {
                continue;
            }
            // Log axes cannot show 0: a peak below the resolution (one 4 KiB page) is drawn at 0.01 MiB.
            chart.addSeries(impl, mine.stream().map(r -> (double) r.tokens()).collect(Collectors.toList()),
                mine.stream().map(r -> memory ? Math.max(0.01, r.peakExtraMib()) : r.msMedian()).collect(Collectors.toList()))
                .setMarker(SeriesMarkers.CIRCLE);
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
