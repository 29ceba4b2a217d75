package dev.attentionkit.data;

/**
 * One example of the date-translation task: a date as people write it, and the same date in ISO form.
 *
 * @param human e.g. {@code "Tuesday, March 7 2023"}, {@code "07.03.23"}, {@code "3 May 1979"}
 * @param iso   {@code YYYY-MM-DD}, always 10 characters
 */
public record DateExample(String human, String iso) {
}
