package dev.sliver.codec;

import dev.sliver.alloc.ThreadCachingAllocator;
import dev.sliver.core.CorruptRecordException;
import dev.sliver.core.CountingAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static dev.sliver.codec.Records.*;
import static org.junit.jupiter.api.Assertions.*;

/** One corrupt input per validation rule, read from a stream, a file and a mapping, with the default allocator; nothing may leak. */
class CodecValidationTest {
    private final CountingAllocator allocator = new CountingAllocator(ThreadCachingAllocator.shared());
    private final ReadOptions options = ReadOptions.defaults().withAllocator(allocator);

    @TempDir
    Path dir;

    @AfterEach
    void nothingLeaked() {
        assertEquals(0, allocator.outstandingSegments(), "every segment of a failed read is returned");
    }

    /** Reads {@code bytes} three ways; each must fail with the reason and offset given. */
    private void assertCorrupt(byte[] bytes, String reason, long offset) throws Exception {
        Path file = Files.write(dir.resolve("bad.strg"), bytes);
        CorruptRecordException fromStream = assertThrows(CorruptRecordException.class,
                () -> Codec.deserialize(Channels.newChannel(new ByteArrayInputStream(bytes)), options));
        CorruptRecordException fromFile = assertThrows(CorruptRecordException.class,
                () -> Codec.deserialize(file, options));
        CorruptRecordException fromMap = assertThrows(CorruptRecordException.class, () -> Codec.map(file, options));
        for (CorruptRecordException e : List.of(fromFile, fromMap)) {
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            assertTrue(e.reason().contains(reason), e.getMessage());
            assertEquals(offset, e.offset(), e.getMessage());
            assertTrue(e.getMessage().endsWith(" at byte " + offset), e.getMessage());
        }
        // Only a sized source can compare total_length with what remains; a stream fails on
        // whatever inconsistency or truncation it meets first.
        if (!reason.contains("remaining")) {
            assertTrue(fromStream.reason().contains(reason), fromStream.getMessage());
        }
    }

    @Test
    void aDirectoryIsRefusedByName() {
        for (var read : List.<org.junit.jupiter.api.function.Executable>of(
                () -> Codec.deserialize(dir, options), () -> Codec.map(dir, options), () -> Codec.readAll(dir, options))) {
            java.io.IOException e = assertThrows(java.io.IOException.class, read);
            assertTrue(e.getMessage().startsWith(dir + ": "), e.getMessage());
            assertTrue(e.getMessage().endsWith(" at byte 0"), e.getMessage());
        }
    }

    @Test
    void emptyInputHasNoRecord() throws Exception {
        assertCorrupt(new byte[0], "no record", 0);
    }

    @Test
    void totalLengthBelowEight() throws Exception {
        assertCorrupt(words(7, 0), "smaller than the 8-byte count field", 0);
    }

    @Test
    void aSixteenByteFileDeclaring2To63BytesFailsBeforeAllocating() throws Exception {
        Path file = Files.write(dir.resolve("huge.strg"), words(1L << 63, 1));
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> Codec.deserialize(file, options));
        assertEquals(file + ": total_length 9223372036854775808 exceeds the 8 bytes remaining at byte 0", e.getMessage());
        assertThrows(CorruptRecordException.class, () -> Codec.map(file, options));
        e = assertThrows(CorruptRecordException.class,
                () -> Codec.deserialize(Channels.newChannel(new ByteArrayInputStream(words(1L << 63, 1))), options));
        assertTrue(e.reason().contains("exceeds the limit of " + ReadOptions.DEFAULT_MAX_RECORD_BYTES), e.getMessage());
        assertEquals(0, allocator.totalAllocations(), "nothing was allocated");
    }

    @Test
    void totalLengthBeyondTheFile() throws Exception {
        Path file = Files.write(dir.resolve("short.strg"), concat(words(100, 1, 3), new byte[] {1, 2, 3}));
        assertThrows(CorruptRecordException.class, () -> Codec.deserialize(file, options));
        assertEquals(0, allocator.totalAllocations(), "a file's size is checked before allocating");
        assertCorrupt(concat(words(100, 1, 3), new byte[] {1, 2, 3}), "exceeds the 19 bytes remaining", 0);
    }

    /**
     * A file that holds a total_length and nothing after it has a size to trust, 0 bytes after the
     * field: the record is judged against that size, as a file's, not against the stream cap (which
     * would pass it and report a truncation instead). Every reader of a file says the same.
     */
    @Test
    void aFileOfOnlyATotalLengthHasZeroBytesRemaining() throws Exception {
        Path file = Files.write(dir.resolve("eight.strg"), words(100));
        String expected = file + ": total_length 100 exceeds the 0 bytes remaining at byte 0";
        assertEquals(expected, assertThrows(CorruptRecordException.class, () -> Codec.deserialize(file, options)).getMessage());
        try (RecordReader ahead = RecordReader.open(file, options)) {
            assertEquals(expected, assertThrows(CorruptRecordException.class, ahead::next).getMessage());
        }
        assertEquals(0, allocator.totalAllocations());
    }

    /**
     * A file whose remaining bytes are exactly the cap is still judged by its size: the error says
     * what remains, not the cap (a file is no stream).
     */
    @Test
    void aFileWhoseRemainingBytesEqualTheCapIsJudgedByItsSize() throws Exception {
        Path file = Files.write(dir.resolve("capped.strg"), words(32, 1, 16, 0)); // 24 bytes after total_length
        ReadOptions capped = options.withMaxRecordBytes(24);
        String expected = file + ": total_length 32 exceeds the 24 bytes remaining at byte 0";
        assertEquals(expected, assertThrows(CorruptRecordException.class, () -> Codec.deserialize(file, capped)).getMessage());
        try (RecordReader ahead = RecordReader.open(file, capped)) {
            assertEquals(expected, assertThrows(CorruptRecordException.class, ahead::next).getMessage());
        }
        assertEquals(0, allocator.totalAllocations());
    }

    @Test
    void totalLengthBeyondTheStreamCap() {
        ReadOptions capped = options.withMaxRecordBytes(1024);
        byte[] bytes = serialize2k();
        CorruptRecordException e = assertThrows(CorruptRecordException.class,
                () -> Codec.deserialize(Channels.newChannel(new ByteArrayInputStream(bytes)), capped));
        assertTrue(e.reason().contains("limit of 1024"), e.getMessage());
        assertEquals(0, allocator.totalAllocations());
    }

    private static byte[] serialize2k() {
        try {
            return serialize(List.of(new byte[2048]));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void countNeedsMoreLengthFieldsThanFit() throws Exception {
        assertCorrupt(words(16, 2, 0), "needs more length fields", 8);
        assertCorrupt(words(16, -1L, 0), "needs more length fields", 8);
    }

    @Test
    void countAboveTheSupportedMaximum() {
        CorruptRecordException e = assertThrows(CorruptRecordException.class,
                () -> RecordHeader.checkCount(Integer.MAX_VALUE, Long.MAX_VALUE, "src", 8));
        assertTrue(e.reason().contains("supported maximum"), e.getMessage());
    }

    @Test
    void aLengthLargerThanThePayload() throws Exception {
        assertCorrupt(concat(words(8 + 16 + 3, 2, 2, 5), new byte[3]), "length of blob 1 (5) exceeds the 1", 24);
    }

    @Test
    void aLengthOf2To63OrMoreIsUnsignedNotNegative() throws Exception {
        assertCorrupt(concat(words(8 + 16 + 3, 2, -2, 5), new byte[3]), "18446744073709551614", 16);
    }

    @Test
    void lengthsThatSumToLessThanThePayload() throws Exception {
        assertCorrupt(concat(words(8 + 16 + 5, 2, 1, 1), new byte[5]), "lengths sum to 2 but the record has 5", 16);
    }

    @Test
    void lengthsWhoseSumOverflows() throws Exception {
        assertCorrupt(concat(words(8 + 16 + 2, 2, 1, Long.MAX_VALUE), new byte[2]), "length of blob 1", 24);
    }

    @Test
    void truncatedInsideThePayloadReportsExpectedAndGot() throws Exception {
        byte[] full = serialize(List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}));
        byte[] cut = Arrays.copyOf(full, 30);
        // A stream cannot know the size in advance: it reports the truncation itself.
        CorruptRecordException e = assertThrows(CorruptRecordException.class,
                () -> Codec.deserialize(Channels.newChannel(new ByteArrayInputStream(cut)), options));
        assertTrue(e.reason().contains("expected 37 bytes") && e.reason().contains("got 30"), e.getMessage());
        assertEquals(30, e.offset());
        // A file knows: total_length exceeds what remains.
        assertCorrupt(cut, "exceeds the 22 bytes remaining", 0);
    }

    @Test
    void truncatedInsideTheHeader() throws Exception {
        CorruptRecordException e = assertThrows(CorruptRecordException.class,
                () -> Codec.deserialize(Channels.newChannel(new ByteArrayInputStream(new byte[5])), options));
        assertTrue(e.reason().contains("expected 8 bytes"), e.getMessage());
        assertEquals(5, e.offset());
    }

    @Test
    void readAllClosesWhatItReadWhenALaterRecordIsCorrupt() throws Exception {
        byte[] good = serialize(List.of(new byte[] {1}));
        Path file = Files.write(dir.resolve("mixed.strg"), concat(good, good, words(9999, 0)));
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> Codec.readAll(file, options));
        assertEquals(2L * good.length, e.offset(), "the offset is absolute in the file");
        assertEquals(2, allocator.totalAllocations());
    }
}
