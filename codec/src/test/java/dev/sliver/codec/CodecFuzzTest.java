package dev.sliver.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sliver.core.AutoArenaAllocator;
import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import dev.sliver.core.CountingAllocator;
import dev.sliver.core.Slice;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Feeds arbitrary bytes to the reader and to map. Each must agree with an independent reference
 * parse of FORMAT.md: accept exactly the inputs it accepts, with the same blobs, and reject the
 * rest with a {@link CorruptRecordException} only; no segment may leak.
 *
 * <p>{@code mvn verify} replays the committed corpus in
 * {@code src/test/resources/dev/sliver/codec/CodecFuzzTestInputs/deserialize}. To fuzz for real:
 * <pre>JAZZER_FUZZ=1 mvn -pl codec -am test -Dtest=CodecFuzzTest -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * (add {@code -Djazzer.max_duration=10m} to bound it); new findings land in the same directory.
 */
class CodecFuzzTest {
    private static final CountingAllocator ALLOCATOR = new CountingAllocator(new AutoArenaAllocator());
    private static final ReadOptions OPTIONS = ReadOptions.defaults().withAllocator(ALLOCATOR).withMaxRecordBytes(1 << 20);

    @FuzzTest
    void deserialize(byte[] input) throws Exception {
        List<byte[]> expected = referenceParse(input, input.length, OPTIONS.maxRecordBytes());
        try (Batch batch = Codec.deserialize(Channels.newChannel(new ByteArrayInputStream(input)), OPTIONS)) {
            assertNotNull(expected, "the reader accepted a record the reference parse rejects");
            assertBlobs(expected, batch);
        } catch (CorruptRecordException e) {
            assertNull(expected, () -> "the reader rejected a valid record: " + e.getMessage());
        }
        List<byte[]> expectedInFile = referenceParse(input, input.length, Long.MAX_VALUE); // map allocates no payload: no cap
        Path file = Files.createTempFile("fuzz", ".strg");
        try {
            Files.write(file, input);
            try (Batch mapped = Codec.map(file, OPTIONS)) {
                assertNotNull(expectedInFile, "map accepted a record the reference parse rejects");
                assertBlobs(expectedInFile, mapped);
            } catch (CorruptRecordException e) {
                assertNull(expectedInFile, () -> "map rejected a valid record: " + e.getMessage());
            }
        } finally {
            Files.delete(file);
        }
        assertEquals(0, ALLOCATOR.outstandingSegments(), "a segment leaked");
    }

    private static void assertBlobs(List<byte[]> expected, Batch batch) {
        assertEquals(expected.size(), batch.size());
        long sum = 0;
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), batch.get(i).toByteArray(), "blob " + i);
            sum += expected.get(i).length;
        }
        assertEquals(sum, batch.totalBytes());
    }

    /**
     * FORMAT.md read the slow, obvious way, independently of RecordFormat: the blobs of the first
     * record, or null if the bytes do not start with a valid record of at most {@code cap} bytes.
     */
    static List<byte[]> referenceParse(byte[] input, int available, long cap) {
        ByteBuffer in = ByteBuffer.wrap(input, 0, available).order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < 16) {
            return null;
        }
        java.math.BigInteger total = java.math.BigInteger.valueOf(in.getLong()).and(U64_MASK);
        java.math.BigInteger count = java.math.BigInteger.valueOf(in.getLong()).and(U64_MASK);
        java.math.BigInteger eight = java.math.BigInteger.valueOf(8);
        if (total.compareTo(eight) < 0 || total.compareTo(java.math.BigInteger.valueOf(cap)) > 0
                || total.compareTo(java.math.BigInteger.valueOf(available - 8L)) > 0) {
            return null;
        }
        if (count.multiply(eight).add(eight).compareTo(total) > 0 || count.intValue() > Integer.MAX_VALUE - 8) {
            return null;
        }
        int n = count.intValue();
        long payload = total.longValue() - 8 - 8L * n;
        long[] lengths = new long[n];
        java.math.BigInteger sum = java.math.BigInteger.ZERO;
        for (int i = 0; i < n; i++) {
            java.math.BigInteger length = java.math.BigInteger.valueOf(in.getLong()).and(U64_MASK);
            sum = sum.add(length);
            lengths[i] = length.longValue();
        }
        if (!sum.equals(java.math.BigInteger.valueOf(payload))) {
            return null;
        }
        List<byte[]> blobs = new ArrayList<>();
        for (long length : lengths) {
            byte[] blob = new byte[(int) length];
            in.get(blob);
            blobs.add(blob);
        }
        return blobs;
    }

    private static final java.math.BigInteger U64_MASK = java.math.BigInteger.ONE.shiftLeft(64).subtract(java.math.BigInteger.ONE);

    @org.junit.jupiter.api.Test
    void theCorpusHoldsValidRecordsSoARejectEverythingReaderWouldFail() throws Exception {
        Path corpus = Path.of("src/test/resources/dev/sliver/codec/CodecFuzzTestInputs/deserialize");
        long valid;
        try (var inputs = Files.list(corpus)) {
            valid = inputs.filter(p -> {
                try {
                    byte[] bytes = Files.readAllBytes(p);
                    return referenceParse(bytes, bytes.length, 1 << 20) != null;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).count();
        }
        assertTrue(valid >= 4, "valid records in the corpus: " + valid);
    }
}
