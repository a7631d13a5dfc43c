package dev.sliver.codec;

import dev.sliver.core.CorruptRecordException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The header rules of FORMAT.md ("Validation", 1 to 4) as every reader applies them: the exact
 * offset and reason of each violation, unsigned comparisons, the boundaries that pass, and the
 * layout the writer produces (the test vector).
 */
class RecordHeaderTest {
    private static CorruptRecordException fails(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(CorruptRecordException.class, call);
    }

    @Test
    void aHeaderKnowsWhereEachPartOfItsRecordIs() throws Exception {
        RecordHeader header = RecordHeader.parse(29, 2, 29, true, "src", 100);
        assertEquals(new RecordHeader(100, 29, 2), header);
        assertEquals(37, header.size());
        assertEquals(137, header.end());
        assertEquals(116, header.tableOffset());
        assertEquals(16, header.tableBytes());
        assertEquals(132, header.payloadOffset());
        assertEquals(5, header.payloadBytes());
        assertEquals(16, RecordHeader.BYTES);
        assertEquals(Integer.MAX_VALUE - 8, RecordHeader.MAX_COUNT);
        RecordHeader most = new RecordHeader(0, Long.MAX_VALUE - 8, RecordHeader.MAX_COUNT);
        assertEquals(8L * RecordHeader.MAX_COUNT, most.tableBytes(), "no int overflow");
    }

    @Test
    void totalLengthMustLeaveRoomForTheCountAndFitTheSource() throws Exception {
        CorruptRecordException small = fails(() -> RecordHeader.parse(7, 0, 100, true, "src", 40));
        assertEquals("src: total_length 7 is smaller than the 8-byte count field at byte 40", small.getMessage());
        RecordHeader.checkTotal(8, 8, true, "src", 0); // both bounds are inclusive
        assertEquals(new RecordHeader(0, 8, 0), RecordHeader.parse(8, 0, 8, true, "src", 0));
        CorruptRecordException sized = fails(() -> RecordHeader.checkTotal(101, 100, true, "src", 40));
        assertEquals("src: total_length 101 exceeds the 100 bytes remaining at byte 40", sized.getMessage());
        CorruptRecordException capped = fails(() -> RecordHeader.checkTotal(101, 100, false, "stream", 0));
        assertEquals("stream: total_length 101 exceeds the limit of 100 bytes (ReadOptions.maxRecordBytes) at byte 0",
                capped.getMessage());
        CorruptRecordException huge = fails(() -> RecordHeader.checkTotal(-1, Long.MAX_VALUE, true, "src", 0));
        assertEquals("src: total_length 18446744073709551615 exceeds the 9223372036854775807 bytes remaining at byte 0",
                huge.getMessage(), "compared and printed unsigned");
        RecordHeader.checkTotal(Long.MIN_VALUE, -1, true, "src", 0); // 2^63 <= 2^64 - 1, unsigned
    }

    @Test
    void countMustFitItsLengthFieldsAndAnInt() throws Exception {
        assertEquals(3, RecordHeader.checkCount(3, 32, "src", 8)); // 3 lengths fill the 24 bytes after count
        CorruptRecordException tooMany = fails(() -> RecordHeader.checkCount(4, 32, "src", 8));
        assertEquals("src: count 4 needs more length fields than fit in total_length 32 at byte 8", tooMany.getMessage());
        assertEquals(8, tooMany.offset(), "the count's own offset");
        CorruptRecordException parsed = fails(() -> RecordHeader.parse(32, 4, 100, true, "src", 64));
        assertEquals(72, parsed.offset());
        CorruptRecordException noRoom = fails(() -> RecordHeader.checkCount(0, 7, "src", 48));
        assertEquals("src: total_length 7 is smaller than the 8-byte count field at byte 40", noRoom.getMessage());
        long total = 8 + 8L * (RecordHeader.MAX_COUNT + 1L);
        assertEquals(RecordHeader.MAX_COUNT, RecordHeader.checkCount(RecordHeader.MAX_COUNT, total, "src", 8));
        CorruptRecordException max = fails(() -> RecordHeader.checkCount(RecordHeader.MAX_COUNT + 1L, total, "src", 8));
        assertEquals("src: count 2147483640 exceeds the supported maximum of 2147483639 blobs per record at byte 8",
                max.getMessage());
        CorruptRecordException unsigned = fails(() -> RecordHeader.checkCount(-1, -1, "src", 8));
        assertEquals("src: count 18446744073709551615 needs more length fields than fit in total_length "
                + "18446744073709551615 at byte 8", unsigned.getMessage());
    }

    @Test
    void theWriterProducesTheTestVector() throws Exception {
        ByteBuffer header = ByteBuffer.allocate(RecordFormat.headerBytes(2)).order(ByteOrder.BIG_ENDIAN);
        long[] lengths = {3, 2};
        assertEquals(37, RecordFormat.writeHeader(header, 2, i -> lengths[i]));
        assertEquals(32, header.position());
        assertArrayEquals(Records.hex("1d00000000000000 0200000000000000 0300000000000000 0200000000000000"),
                header.array(), "little-endian whatever the buffer's order");
        assertEquals(ByteOrder.BIG_ENDIAN, header.order());
        assertEquals(16, RecordFormat.headerBytes(0));
        assertThrows(ArithmeticException.class, () -> RecordFormat.headerBytes(Integer.MAX_VALUE - 1));
        assertThrows(ArithmeticException.class, () -> RecordFormat.writeHeader(ByteBuffer.allocate(64), 2,
                i -> Long.MAX_VALUE));
        ByteBuffer offset = ByteBuffer.allocate(40);
        offset.position(8);
        assertEquals(16, RecordFormat.writeHeader(offset, 0, i -> 0), "the empty record: total_length 8, count 0");
        assertEquals(24, offset.position());
        assertEquals(8, ByteBuffer.wrap(offset.array()).order(ByteOrder.LITTLE_ENDIAN).getLong(8));
    }

    @Test
    void lengthsBecomeEndOffsetsOrAnExactError() throws Exception {
        MemorySegment lengths = MemorySegment.ofArray(Records.words(3, 0, 2));
        MemorySegment ends = MemorySegment.ofArray(new long[3]);
        RecordFormat.lengthsToEnds(lengths, ends, 3, 5, "src", 16);
        assertArrayEquals(new long[] {3, 3, 5}, ends.toArray(java.lang.foreign.ValueLayout.JAVA_LONG));
        MemorySegment inPlace = MemorySegment.ofArray(Records.words(1, 2, 3));
        RecordFormat.lengthsToEnds(inPlace, inPlace, 3, 6, "src", 16);
        assertArrayEquals(Records.words(1, 3, 6), inPlace.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));

        CorruptRecordException over = fails(() -> RecordFormat.lengthsToEnds(MemorySegment.ofArray(Records.words(3, 3)),
                MemorySegment.ofArray(new long[2]), 2, 5, "src", 16));
        assertEquals("src: length of blob 1 (3) exceeds the 2 payload bytes left; lengths must sum to 5 at byte 24",
                over.getMessage());
        CorruptRecordException under = fails(() -> RecordFormat.lengthsToEnds(MemorySegment.ofArray(Records.words(1, 3)),
                MemorySegment.ofArray(new long[2]), 2, 5, "src", 16));
        assertEquals("src: lengths sum to 4 but the record has 5 payload bytes at byte 16", under.getMessage());
        CorruptRecordException negative = fails(() -> RecordFormat.lengthsToEnds(MemorySegment.ofArray(Records.words(1, -1)),
                MemorySegment.ofArray(new long[2]), 2, 5, "src", 16));
        assertEquals("src: length of blob 1 (18446744073709551615) exceeds the 4 payload bytes left; lengths must sum to 5"
                + " at byte 24", negative.getMessage());
        RecordFormat.lengthsToEnds(MemorySegment.ofArray(new byte[0]), MemorySegment.ofArray(new byte[0]), 0, 0, "src", 16);
        assertEquals("src: lengths sum to 0 but the record has 1 payload bytes at byte 16", fails(() ->
                RecordFormat.lengthsToEnds(MemorySegment.ofArray(new byte[0]), MemorySegment.ofArray(new byte[0]), 0, 1,
                        "src", 16)).getMessage());
    }
}
