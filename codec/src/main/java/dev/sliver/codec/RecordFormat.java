package dev.sliver.codec;

import dev.sliver.core.CorruptRecordException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The record layout, see FORMAT.md: {@code [total_length][count][count x length][payload]}, every
 * integer a little-endian u64, {@code total_length} counting every byte after itself.
 */
final class RecordFormat {
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final int WORD = Long.BYTES;

    private RecordFormat() {
    }

    /**
     * Checks {@code total_length} (read at {@code offset}) against the bytes that can follow it.
     *
     * @param available how many bytes the source can still deliver after the field, or the cap
     *                  for a source of unknown size
     */
    static void checkTotal(long total, long available, boolean sourceSized, String source, long offset)
            throws CorruptRecordException {
        if (Long.compareUnsigned(total, WORD) < 0) {
            throw new CorruptRecordException(source, offset,
                    "total_length " + total + " is smaller than the 8-byte count field");
        }
        if (Long.compareUnsigned(total, available) > 0) {
            throw new CorruptRecordException(source, offset, "total_length " + Long.toUnsignedString(total)
                    + (sourceSized ? " exceeds the " + available + " bytes remaining"
                    : " exceeds the limit of " + available + " bytes (ReadOptions.maxRecordBytes)"));
        }
    }

    /** Checks {@code count} (read at {@code offset}) against {@code total_length}; returns it as an int. */
    static int checkCount(long count, long total, String source, long offset) throws CorruptRecordException {
        long maxCount = (total - WORD) / WORD;
        if (Long.compareUnsigned(count, maxCount) > 0) {
            throw new CorruptRecordException(source, offset, "count " + Long.toUnsignedString(count)
                    + " needs more length fields than fit in total_length " + total);
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new CorruptRecordException(source, offset, "count " + count + " exceeds the supported maximum of "
                    + (Integer.MAX_VALUE - 8) + " blobs per record");
        }
        return (int) count;
    }

    /**
     * Validates {@code count} lengths and writes each blob's end offset into {@code ends} (which
     * may be {@code lengths} itself: each slot is read before it is written).
     *
     * @param lengthsOffset the source offset of the first length, for error messages
     */
    static void lengthsToEnds(MemorySegment lengths, MemorySegment ends, int count, long payloadBytes,
                              String source, long lengthsOffset) throws CorruptRecordException {
        long sum = 0;
        for (int i = 0; i < count; i++) {
            long at = (long) i * WORD;
            long length = lengths.get(U64, at);
            // Unsigned compare: a length of 2^63 or more reads as negative and must be rejected too.
            if (Long.compareUnsigned(length, payloadBytes - sum) > 0) {
                throw new CorruptRecordException(source, lengthsOffset + at, "length of blob " + i + " ("
                        + Long.toUnsignedString(length) + ") exceeds the " + (payloadBytes - sum)
                        + " payload bytes left; lengths must sum to " + payloadBytes);
            }
            sum += length;
            ends.set(U64, at, sum);
        }
        if (sum != payloadBytes) {
            throw new CorruptRecordException(source, lengthsOffset, "lengths sum to " + sum
                    + " but the record has " + payloadBytes + " payload bytes");
        }
    }
}
