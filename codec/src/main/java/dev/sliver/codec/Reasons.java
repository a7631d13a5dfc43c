package dev.sliver.codec;

/** The words an error message quotes from an exception: never "null". */
final class Reasons {
    private Reasons() {
    }

    /** The exception's message, or its type when it has none (many I/O exceptions have none). */
    static String of(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
