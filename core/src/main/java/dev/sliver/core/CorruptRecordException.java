package dev.sliver.core;

import java.io.IOException;

/**
 * A record that cannot be read: malformed, inconsistent, over a configured limit, or truncated.
 * The message names the source (a path or channel), the byte offset at which the problem was
 * found, and what was wrong; the parts are also available separately.
 */
public class CorruptRecordException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The path or channel that was read. */
    private final String source;
    /** The byte offset in the source where the problem was found. */
    private final long offset;
    /** What was wrong, without the source and offset. */
    private final String reason;

    /**
     * A record of {@code source} that is bad at byte {@code offset}; the message joins all three.
     *
     * @param source what was read: a path, or a description of a channel
     * @param offset the byte offset in the source where the problem was found
     * @param reason what was wrong
     */
    public CorruptRecordException(String source, long offset, String reason) {
        super(source + ": " + reason + " at byte " + offset);
        this.source = source;
        this.offset = offset;
        this.reason = reason;
    }

    /** {@return the path or channel that was read} */
    public String source() {
        return source;
    }

    /** {@return the byte offset in the source where the problem was found} */
    public long offset() {
        return offset;
    }

    /** {@return what was wrong, without the source and offset} */
    public String reason() {
        return reason;
    }
}
