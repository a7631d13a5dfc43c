package dev.sliver.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sliver.core.AutoArenaAllocator;
import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import dev.sliver.core.CountingAllocator;
import dev.sliver.core.Slice;

import java.io.ByteArrayInputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Feeds arbitrary bytes to the reader. Only {@link CorruptRecordException} may escape, a record
 * that parses must be self-consistent, and no segment may leak.
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
        try (Batch batch = Codec.deserialize(Channels.newChannel(new ByteArrayInputStream(input)), OPTIONS)) {
            long sum = 0;
            for (Slice blob : batch) {
                sum += blob.length();
                if (blob.length() > 0) {
                    blob.get(blob.length() - 1);
                }
            }
            assertEquals(batch.totalBytes(), sum);
            assertTrue(16 + 8L * batch.size() + sum <= input.length);
        } catch (CorruptRecordException expected) {
            // the only exception allowed
        }
        Path file = Files.createTempFile("fuzz", ".strg");
        try {
            Files.write(file, input);
            try (Batch mapped = Codec.map(file, OPTIONS)) {
                assertTrue(mapped.totalBytes() <= input.length);
            } catch (CorruptRecordException expected) {
                // the only exception allowed
            }
        } finally {
            Files.delete(file);
        }
        assertEquals(0, ALLOCATOR.outstandingSegments(), "a segment leaked");
    }
}
