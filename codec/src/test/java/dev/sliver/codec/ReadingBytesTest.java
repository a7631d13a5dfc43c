package dev.sliver.codec;

import dev.sliver.core.Batch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** READ mode reads its file a few MiB ahead of the survey: every access sees the file's bytes, whatever the step. */
class ReadingBytesTest {
    @TempDir
    Path dir;

    @Test
    void everyAccessSeesTheFilesBytesWhateverTheStep() throws Exception {
        byte[] expected = new byte[100_000];
        new Random(7).nextBytes(expected);
        java.util.Arrays.fill(expected, 20_000, 70_000, (byte) 0);
        Path file = Files.write(dir.resolve("f"), expected);
        ByteBuffer le = ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN);
        for (long step : new long[] {1, 999, 65_536, 1 << 22}) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                MemorySegment block = MemorySegment.ofArray(new byte[expected.length]);
                ReadingBytes bytes = new ReadingBytes(channel, block, file, step);
                assertEquals(expected.length, bytes.size());
                assertEquals(le.getLong(5), bytes.u64(5), "step " + step);
                assertTrue(bytes.allZero(20_000, 70_000), "step " + step);
                assertFalse(bytes.allZero(20_000, 70_001), "step " + step);
                CRC32C crc = new CRC32C();
                bytes.crc(crc, 10, 90_000);
                CRC32C want = new CRC32C();
                want.update(expected, 10, 90_000 - 10);
                assertEquals(want.getValue(), crc.getValue(), "step " + step);
                assertEquals(le.getLong(expected.length - 8), bytes.u64(expected.length - 8), "step " + step);
                assertArrayEquals(java.util.Arrays.copyOfRange(expected, 3, 40),
                        bytes.view(3, 37).toArray(ValueLayout.JAVA_BYTE), "step " + step + ": bytes read earlier stay");
                assertThrows(IndexOutOfBoundsException.class, () -> bytes.view(expected.length - 4, 8));
                bytes.fill(expected.length);
                assertArrayEquals(expected, block.toArray(ValueLayout.JAVA_BYTE), "step " + step);
            }
        }
    }

    @Test
    void aFileThatShrankWhileReadSaysWhere() throws Exception {
        Path file = Files.write(dir.resolve("f"), new byte[100_000]);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ReadingBytes bytes = new ReadingBytes(channel, MemorySegment.ofArray(new byte[100_000]), file, 1000);
            assertEquals(0, bytes.u64(0));
            channel.truncate(50_000);
            IOException e = assertThrows(IOException.class, () -> bytes.u64(60_000));
            assertEquals(file + ": the file shrank while it was read (truncated by another program?) at byte 50000", e.getMessage());
        }
    }

    /** Records across many 4 MiB steps, a torn tail after them: READ finds what MAP finds. */
    @Test
    void readModeOverManyStepsAgreesWithMapMode() throws Exception {
        Path file = dir.resolve("log.strg");
        Random random = new Random(11);
        List<List<byte[]>> written = new ArrayList<>();
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            for (long bytes = 0; bytes < 10L << 20; ) {
                List<byte[]> blobs = List.of(new byte[random.nextInt(20_000)], new byte[random.nextInt(3)]);
                random.nextBytes(blobs.get(0));
                appender.append(blobs);
                written.add(blobs);
                bytes += 40 + blobs.get(0).length + blobs.get(1).length;
            }
        }
        Files.write(file, new byte[] {9, 0, 0, 0}, StandardOpenOption.APPEND); // a torn header
        try (RecordFile read = RecordFile.open(file, RecordFile.Mode.READ, ReadOptions.defaults());
             RecordFile mapped = RecordFile.open(file, RecordFile.Mode.MAP, ReadOptions.defaults())) {
            assertEquals(written.size(), read.size());
            assertEquals(4, read.tornBytes());
            assertEquals(mapped.validBytes(), read.validBytes());
            assertEquals(written.size(), read.verify(), "every record matches the checksum its append wrote");
            for (int i = 0; i < written.size(); i += 97) {
                try (Batch batch = read.get(i)) {
                    assertArrayEquals(written.get(i).get(0), batch.get(0).toByteArray(), "record " + i);
                    assertEquals(written.get(i).get(1).length, batch.get(1).length(), "record " + i);
                }
            }
        }
    }
}
