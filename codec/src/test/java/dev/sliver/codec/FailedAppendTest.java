package dev.sliver.codec;

import dev.sliver.core.Batch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** An append that fails part-way (a full disk) must leave the file as it was, so later appends stay readable. */
class FailedAppendTest {
    @TempDir
    Path dir;

    @Test
    void aFailedAppendIsTruncatedBackAndLaterRecordsStayReachable() throws Exception {
        Path file = dir.resolve("log.strg");
        Codec.write(file, List.of(new byte[] {1, 2, 3}));
        long before = Files.size(file);
        for (long budget : new long[] {0, 1, 7, 8, 23, 24, 1000}) { // inside the header, the lengths, the payload
            try (FileChannel channel = new FailingFileChannel(FileChannel.open(file, StandardOpenOption.WRITE), budget)) {
                RecordWriter writer = new RecordWriter().add(ByteBuffer.wrap(new byte[4000]));
                IOException e = assertThrows(IOException.class, () -> writer.appendTo(channel, file));
                assertEquals(file + ": append failed (No space left on device), truncated back to " + before
                        + " bytes at byte " + before, e.getMessage());
            }
            assertEquals(before, Files.size(file), "budget " + budget);
        }
        Codec.write(file, List.of("after".getBytes()));
        List<Batch> records = Codec.readAll(file);
        assertEquals(2, records.size(), "the append after the failures is readable");
        assertEquals("after", new String(records.get(1).get(0).toByteArray()));
        records.forEach(Batch::close);
    }

    @Test
    void aTruncationThatFailsTooIsReported() throws Exception {
        Path file = dir.resolve("log.strg");
        Codec.write(file, List.of(new byte[] {1, 2, 3}));
        try (FailingFileChannel channel = new FailingFileChannel(FileChannel.open(file, StandardOpenOption.WRITE), 10)) {
            channel.truncateFails = true;
            IOException e = assertThrows(IOException.class,
                    () -> new RecordWriter().add(ByteBuffer.wrap(new byte[100])).appendTo(channel, file));
            assertTrue(e.getMessage().contains("truncating back to 27 bytes failed too (Input/output error)"), e.getMessage());
            assertEquals(1, e.getCause().getSuppressed().length);
        }
    }
}
