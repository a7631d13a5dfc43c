package dev.sliver.codec;

import dev.sliver.core.CorruptRecordException;

import static dev.sliver.codec.RecordFormat.WORD;

/**
 * The first 16 bytes of a record, parsed and checked once: every reader (channels, streams,
 * scanners, files in memory or mapped, Netty's decoder) turns {@code total_length} and
 * {@code count} into a header here, so that they can never disagree on what a valid header is.
 *
 * <p>The rules (FORMAT.md): {@code total_length} is at least 8 and at most what the source can
 * still deliver (its remaining size when that is known, else a configured cap); {@code count}
 * fits in {@code total_length} with room for its length fields, and in an {@code int}. Every
 * comparison is unsigned: the fields are u64.
 *
 * @param offset      the source offset of the record's first byte (its total_length field)
 * @param totalLength the total_length field: the bytes after it
 * @param count       the number of blobs
 */
public record RecordHeader(long offset, long totalLength, int count) {
    /** Bytes of the two fixed fields, total_length and count. */
    public static final int BYTES = 2 * WORD;
    /** The most blobs a record may have: blobs are indexed by {@code int}, tables are Java arrays. */
    public static final int MAX_COUNT = Integer.MAX_VALUE - 8;

    /**
     * Parses a header from its two fields.
     *
     * @param total     the total_length field
     * @param count     the count field
     * @param available how many bytes the source can deliver after the total_length field, or the
     *                  cap for a source of unknown size (compared unsigned)
     * @param sized     whether {@code available} is the source's own size (else a configured cap)
     * @param source    names the source in errors (its {@code toString()}, called only then)
     * @param offset    the source offset of the total_length field
     * @return the checked header
     * @throws CorruptRecordException if either field breaks the rules
     */
    public static RecordHeader parse(long total, long count, long available, boolean sized, Object source, long offset)
            throws CorruptRecordException {
        checkTotal(total, available, sized, source, offset);
        return new RecordHeader(offset, total, checkCount(count, total, source, offset + WORD));
    }

    /**
     * Checks {@code total_length} alone, for readers that see it before the count (a stream
     * decoder deciding how much to allocate).
     *
     * @param total     the total_length field
     * @param available see {@link #parse}
     * @param sized     see {@link #parse}
     * @param source    names the source in errors
     * @param offset    the source offset of the field
     * @throws CorruptRecordException if {@code total < 8} or {@code total > available} (unsigned)
     */
    public static void checkTotal(long total, long available, boolean sized, Object source, long offset)
            throws CorruptRecordException {
        if (Long.compareUnsigned(total, WORD) < 0) {
            throw new CorruptRecordException(String.valueOf(source), offset,
                    "total_length " + total + " is smaller than the 8-byte count field");
        }
        if (Long.compareUnsigned(total, available) > 0) {
            throw new CorruptRecordException(String.valueOf(source), offset, "total_length " + Long.toUnsignedString(total)
                    + (sized ? " exceeds the " + available + " bytes remaining"
                    : " exceeds the limit of " + available + " bytes (ReadOptions.maxRecordBytes)"));
        }
    }

    /**
     * Checks {@code count} against a {@code total_length} that passed {@link #checkTotal}.
     *
     * @param count  the count field
     * @param total  the record's total_length
     * @param source names the source in errors
     * @param offset the source offset of the count field
     * @return the count as an int
     * @throws CorruptRecordException if its length fields cannot fit, or it exceeds {@link #MAX_COUNT}
     */
    public static int checkCount(long count, long total, Object source, long offset) throws CorruptRecordException {
        if (Long.compareUnsigned(total, WORD) < 0) {
            throw new CorruptRecordException(String.valueOf(source), offset - WORD,
                    "total_length " + total + " is smaller than the 8-byte count field");
        }
        long maxCount = Long.divideUnsigned(total - WORD, WORD);
        if (Long.compareUnsigned(count, maxCount) > 0) {
            throw new CorruptRecordException(String.valueOf(source), offset, "count " + Long.toUnsignedString(count)
                    + " needs more length fields than fit in total_length " + Long.toUnsignedString(total));
        }
        if (Long.compareUnsigned(count, MAX_COUNT) > 0) {
            throw new CorruptRecordException(String.valueOf(source), offset, "count " + Long.toUnsignedString(count)
                    + " exceeds the supported maximum of " + MAX_COUNT + " blobs per record");
        }
        return (int) count;
    }

    /** {@return the record's size in bytes, header included: {@code 8 + total_length}} */
    public long size() {
        return WORD + totalLength;
    }

    /** {@return the source offset just after the record} */
    public long end() {
        return offset + size();
    }

    /** {@return the source offset of the first length field} */
    public long tableOffset() {
        return offset + BYTES;
    }

    /** {@return the bytes of the length table: {@code 8 * count}} */
    public long tableBytes() {
        return (long) count * WORD;
    }

    /** {@return the source offset of the first payload byte} */
    public long payloadOffset() {
        return tableOffset() + tableBytes();
    }

    /** {@return the payload bytes, which the lengths must add up to} */
    public long payloadBytes() {
        return end() - payloadOffset();
    }
}
