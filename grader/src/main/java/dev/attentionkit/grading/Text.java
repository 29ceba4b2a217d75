package dev.attentionkit.grading;

/** Small text helpers for readable, bounded output. */
final class Text {
    private Text() {
    }

    /** At most {@code max} characters, with a note when cut. */
    static String cap(String s, int max) {
        if (s == null) {
            return "";
        }
        return s.length() <= max ? s : s.substring(0, max) + "\n... [truncated " + (s.length() - max) + " characters]";
    }

    /** The first {@code n} non-blank lines. */
    static String firstLines(String s, int n) {
        StringBuilder b = new StringBuilder();
        int count = 0;
        for (String line : s.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            if (count++ == n) {
                b.append("\n...");
                break;
            }
            if (b.length() > 0) {
                b.append('\n');
            }
            b.append(line);
        }
        return b.toString();
    }

    /** HTML-escaped text. */
    static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
