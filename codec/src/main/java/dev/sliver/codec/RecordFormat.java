package dev.sliver.codec;

import dev.sliver.core.CorruptRecordException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The record layout and its validation rules, see FORMAT.md: {@code [total_length][count][count x
 * length][payload]}, every integer a little-endian u64, {@code total_length} counting every byte
 * after itself. Public for readers that assemble records themselves (such as a network decoder),
 * so that every reader applies the same rules. Stateless and thread-safe.
 */
public final class RecordFormat {
    /** The layout of every integer in a record: an unaligned little-endian u64. */
    public static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Bytes per integer field. */
    public static final int WORD = Long.BYTES;

    private RecordFormat() {
    }

    /**
     * {@return the bytes of the header of a record of {@code count} blobs}: total_length, count, the lengths
     *
     * @param count the number of blobs
     */
    public static int headerBytes(int count) {
        return Math.multiplyExact(count + 2, WORD);
    }

    /**
     * Writes the header of a record of {@code count} blobs into {@code dst} at its position
     * (little-endian, whatever the buffer's order): total_length, count, then each length.
     *
     * @param dst    where the header goes; its position moves past it
     * @param count  the number of blobs
     * @param length blob {@code i}'s length for each {@code i} below {@code count}
     * @return the record's total size in bytes, header included
     */
    public static long writeHeader(ByteBuffer dst, int count, java.util.function.IntToLongFunction length) {
        long payloadBytes = 0;
        for (int i = 0; i < count; i++) {
            payloadBytes = Math.addExact(payloadBytes, length.applyAsLong(i));
        }
        long total = Math.addExact(WORD * (count + 1L), payloadBytes);
        ByteBuffer le = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        le.putLong(total).putLong(count);
        for (int i = 0; i < count; i++) {
            le.putLong(length.applyAsLong(i));
        }
        dst.position(le.position());
        return WORD + total;
    }

    private static CorruptRecordException lengthTooLarge(Object source, long lengthsOffset, long at, long length,
                                                          long payloadBytes, long sum, long firstBlob) {
        return new CorruptRecordException(String.valueOf(source), lengthsOffset + at, "length of blob " + (firstBlob + at / WORD)
                + " (" + Long.toUnsignedString(length) + ") exceeds the " + (payloadBytes - sum)
                + " payload bytes left; lengths must sum to " + payloadBytes);
    }

    /**
     * Validates {@code count} lengths and writes each blob's end offset into {@code ends} (which
     * may be {@code lengths} itself: each slot is read before it is written).
     *
     * @param lengths       {@code count} u64 lengths
     * @param ends          where the end offsets go, {@code count} u64 slots
     * @param count         the number of blobs
     * @param payloadBytes  {@code total_length - 8 - 8 * count}
     * @param source        names the source in the error (its {@code toString()}, called only then)
     * @param lengthsOffset the source offset of the first length, for error messages
     * @throws CorruptRecordException if a length exceeds what is left or the sum is not {@code payloadBytes}
     */
    public static void lengthsToEnds(MemorySegment lengths, MemorySegment ends, int count, long payloadBytes,
                              Object source, long lengthsOffset) throws CorruptRecordException {
        long sum = addLengths(lengths, ends, count, payloadBytes, 0, 0, source, lengthsOffset);
        checkLengthsAddUp(sum, payloadBytes, source, lengthsOffset);
    }

    /**
     * Validates {@code n} more lengths of a table read piece by piece, the first being blob
     * {@code firstBlob}: {@code sum} is what the lengths before them add up to, {@code lengthsOffset}
     * the source offset of the first of them. Writes the running sums into {@code ends} unless it
     * is null; returns the new sum.
     */
    static long addLengths(MemorySegment lengths, MemorySegment ends, int n, long payloadBytes, long sum, long firstBlob,
                           Object source, long lengthsOffset) throws CorruptRecordException {
        long limit = (long) n * WORD;
        // A counted loop over long offsets: C2 hoists the segment bounds checks out of it.
        for (long at = 0; at < limit; at += WORD) {
            long length = lengths.get(U64, at);
            // Unsigned compare: a length of 2^63 or more reads as negative and must be rejected too.
            if (Long.compareUnsigned(length, payloadBytes - sum) > 0) {
                throw lengthTooLarge(source, lengthsOffset, at, length, payloadBytes, sum, firstBlob);
            }
            sum += length;
            if (ends != null) {
                ends.set(U64, at, sum);
            }
        }
        return sum;
    }

    /** The last check of a table: the lengths must add up to the payload exactly. */
    static void checkLengthsAddUp(long sum, long payloadBytes, Object source, long lengthsOffset) throws CorruptRecordException {
        if (sum != payloadBytes) {
            throw new CorruptRecordException(String.valueOf(source), lengthsOffset, "lengths sum to " + sum
                    + " but the record has " + payloadBytes + " payload bytes");
        }
    }
}
