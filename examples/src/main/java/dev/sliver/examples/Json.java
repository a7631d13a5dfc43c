package dev.sliver.examples;

/** The one piece of JSON writing the tool needs: string literals. */
final class Json {
    private Json() {
    }

    /**
     * {@code text} as a JSON string literal. Everything outside printable ASCII is escaped (JSON's
     * short escapes where it has one, else a backslash-u escape of each UTF-16 unit), so the output
     * stays valid JSON whatever encoding stdout has, and a file name with a quote, a backslash or a
     * newline cannot break the object.
     */
    static String quote(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        sb.append(c);
                    } else {
                        sb.append(String.format("\\u%04x", (int) c));
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** {@code text} quoted, or {@code null}. */
    static String quoteOrNull(String text) {
        return text == null ? "null" : quote(text);
    }
}
