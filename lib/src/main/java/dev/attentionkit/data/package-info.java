/**
 * The course's data: the book's six-token sentence ({@link dev.attentionkit.data.BookExample}) and the
 * generated human-date → ISO-date translation set of chapter 07 ({@link dev.attentionkit.data.DateDataset},
 * {@link dev.attentionkit.data.CharVocabulary}).
 *
 * <p><b>Layer</b>: the bottom. Uses no other package of the kit.
 */
package dev.attentionkit.data;
