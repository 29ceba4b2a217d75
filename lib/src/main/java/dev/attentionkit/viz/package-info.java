/**
 * Pictures and tables of attention: {@link dev.attentionkit.viz.Heatmap} (XChart), {@link dev.attentionkit.viz.MatrixTable}
 * (labelled tables as HTML, text or Tablesaw) and {@link dev.attentionkit.viz.DefaultDisplay} (how a bare INDArray
 * or Tablesaw table shows in a notebook).
 *
 * <p><b>Layer</b>: uses {@code tensor} and {@code notebook}'s display contracts; it draws arrays, so it needs none
 * of the modules that make them.
 */
package dev.attentionkit.viz;
