/**
 * The kit inside the JJava kernel: {@link dev.attentionkit.kernel.KitExtension}, a JJava {@code Extension} that JJava
 * finds on the kernel's class path and installs when the kernel starts. It teaches the kernel to show the kit's
 * values richly (tables as HTML, heatmaps and charts as pictures, interactive views as Vega-Lite), connects progress
 * lines to the notebook, and ends the kernel with the Jupyter server that started it.
 *
 * <p><b>Layer</b>: the top. Uses {@code notebook} (what can be displayed, progress) and {@code viz} (how arrays and
 * tables look); no package of the kit uses it.
 */
package dev.attentionkit.kernel;
