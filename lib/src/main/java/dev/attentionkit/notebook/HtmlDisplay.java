package dev.attentionkit.notebook;

/**
 * Something a notebook shows as HTML. The kit's kernel set-up registers a JJava renderer for this
 * interface, so a cell whose value implements it renders as a table rather than as text.
 */
public interface HtmlDisplay {
    /** A self-contained HTML fragment. */
    String toHtml();
}
