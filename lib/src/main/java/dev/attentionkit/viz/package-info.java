/**
 * Pictures and tables of attention: {@link dev.attentionkit.viz.Heatmap} (XChart), {@link dev.attentionkit.viz.MatrixTable}
 * (labelled tables as HTML, text or Tablesaw), {@link dev.attentionkit.viz.HeadGrid} (every head of a model as a
 * picture), the interactive views {@link dev.attentionkit.viz.HeadView} (one head, layer and head picked with
 * sliders, weights read by hovering) and {@link dev.attentionkit.viz.ModelView} (every head as small multiples), both
 * Vega-Lite written with Jackson, on one colour scale fixed to 0..1, with a PNG fallback, and
 * {@link dev.attentionkit.viz.DefaultDisplay} (how a bare INDArray or Tablesaw table shows in a notebook).
 *
 * <p><b>Layer</b>: uses {@code tensor} and {@code notebook}'s display contracts; it draws arrays, so it needs none
 * of the modules that make them.
 */
package dev.attentionkit.viz;
