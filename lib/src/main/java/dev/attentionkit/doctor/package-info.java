/**
 * {@code ./kit doctor}: what this machine gives the kit (CPU, JVM, ND4J backend, the BLAS kernel and its measured
 * rate, whether the Vector API rows run).
 *
 * <p><b>Layer</b>: a tool at the top. Uses {@code notebook} (backend start-up, the BLAS report) and {@code efficient}
 * (whether the fused softmax runs on the Vector API).
 */
package dev.attentionkit.doctor;
