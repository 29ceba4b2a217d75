package dev.attentionkit.notebook;

/** The one HTML escaper of the kit's displays: text placed in an HTML table cell, caption or {@code <pre>}. */
public final class Html {
    private Html() {}

    /** {@code text} with {@code &}, {@code <} and {@code >} escaped, so it shows as written. */
    public static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
