/**
 * What a notebook needs from the kit at run time, and nothing of attention itself: backend start-up inside
 * the kernel ({@link dev.attentionkit.notebook.Kit}), the two display contracts the kernel renders
 * ({@link dev.attentionkit.notebook.HtmlDisplay}, {@link dev.attentionkit.notebook.ImageDisplay}), progress lines
 * that update in place ({@link dev.attentionkit.notebook.Progress}), the run profile
 * ({@link dev.attentionkit.notebook.Profile}: full or ci) and the one HTML escaper
 * ({@link dev.attentionkit.notebook.Html}).
 *
 * <p><b>Layer</b>: the bottom, a leaf that training ({@code seq2seq}, {@code longrange}) and pictures
 * ({@code viz}) may use. Uses no other package of the kit.
 */
package dev.attentionkit.notebook;
