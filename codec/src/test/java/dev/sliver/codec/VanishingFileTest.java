package dev.sliver.codec;

import dev.sliver.core.CorruptRecordException;
import dev.sliver.core.CountingAllocator;
import dev.sliver.core.MemoryAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17 C and H: files that vanish or change under a mapping, calls after close, and files too
 * big or not records at all: exceptions that name the file, never a JVM crash (SIGBUS), never
 * memory given back.
 */
class VanishingFileTest {
    @TempDir
    Path dir;

    private Path log(int n, int blobBytes) throws IOException {
        Path file = dir.resolve("log.strg");
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            for (int i = 0; i < n; i++) {
                appender.append(List.of(new byte[blobBytes]));
            }
        }
        return file;
    }

    /** The report: verify() and getVerified() killed the JVM in the CRC32C stub. This test's JVM survives it. */
    @Test
    void aMappedFileTruncatedUnderneathThrowsNamingIt() throws Exception {
        Path file = log(8, 64 * 1024);
        try (RecordFile records = RecordFile.open(file, RecordFile.Mode.MAP, ReadOptions.defaults())) {
            assertEquals(8, records.verify());
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(0);
            }
            IOException verify = assertThrows(IOException.class, records::verify);
            assertTrue(verify.getMessage().startsWith(file.toString()), verify.getMessage());
            assertThrows(IOException.class, () -> records.getVerified(7));
            UncheckedIOException get = assertThrows(UncheckedIOException.class, () -> records.get(5));
            assertTrue(get.getCause().getMessage().startsWith(file.toString()), get.getCause().getMessage());
        }
    }

    /** pack --append of an input truncated while it is packed (logrotate's copytruncate): the checksum pass survives. */
    @Test
    void aMappedBlobTruncatedBeforeItsChecksumThrows() throws Exception {
        Path input = Files.write(dir.resolve("input.log"), new byte[1 << 20]);
        try (Arena arena = Arena.ofShared(); FileChannel in = FileChannel.open(input, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            MemorySegment mapped = in.map(FileChannel.MapMode.READ_ONLY, 0, in.size(), arena);
            RecordWriter writer = new RecordWriter().add(mapped);
            in.truncate(0);
            IOException e = assertThrows(IOException.class, writer::crc32c);
            assertTrue(e.getMessage().contains("vanished"), e.getMessage());
            try (RecordAppender appender = RecordAppender.open(dir.resolve("out.strg"), RecordAppender.Durability.NONE)) {
                assertThrows(IOException.class, () -> appender.append(writer));
            }
        }
    }

    @Test
    void aMappedFileRewrittenInPlaceThrowsTheDocumentedException() throws Exception {
        Path file = log(4, 100);
        try (RecordFile records = RecordFile.open(file, RecordFile.Mode.MAP, ReadOptions.defaults())) {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.seek(records.offset(2) + 8); // record 2's count: now more blobs than fit
                raf.write(new byte[] {(byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 0});
                raf.seek(records.offset(3)); // record 3's total_length
                raf.write(new byte[] {1, 0, 0, 0, 0, 0, 0, 0});
            }
            UncheckedIOException two = assertThrows(UncheckedIOException.class, () -> records.get(2));
            assertTrue(two.getCause() instanceof CorruptRecordException, two.toString());
            UncheckedIOException three = assertThrows(UncheckedIOException.class, () -> records.get(3));
            assertEquals(records.offset(3), ((CorruptRecordException) three.getCause()).offset());
            assertThrows(CorruptRecordException.class, records::verify);
            records.get(1).close();
        }
    }

    @Test
    void callsAfterCloseAreIllegalStateAndTouchNothing() throws Exception {
        Path file = log(3, 10);
        for (RecordFile.Mode mode : RecordFile.Mode.values()) {
            RecordFile records = RecordFile.open(file, mode, ReadOptions.defaults());
            records.close();
            assertThrows(IllegalStateException.class, records::verify, mode.toString());
            assertThrows(IllegalStateException.class, () -> records.getVerified(0));
            assertThrows(IllegalStateException.class, () -> records.get(0));
        }
    }

    @Test
    void aFileTooBigForMemoryOrNotRecordsAtAllIsNamedBeforeAnythingIsAllocated() throws Exception {
        Path junk = dir.resolve("junk.strg");
        try (RandomAccessFile raf = new RandomAccessFile(junk.toFile(), "rw")) {
            raf.write("PK\u0003\u0004 this is a zip, or anything else".getBytes());
            raf.setLength(100L << 30); // 100 GiB, sparse
        }
        CountingAllocator counting = new CountingAllocator(ReadOptions.defaultAllocator());
        CorruptRecordException e = assertThrows(CorruptRecordException.class,
                () -> RecordFile.open(junk, RecordFile.Mode.READ, ReadOptions.defaults().withAllocator(counting)));
        assertTrue(e.getMessage().startsWith(junk.toString()), e.getMessage());
        assertEquals(0, counting.totalAllocations(), "nothing allocated for a file that is not records");

        Path big = log(2, 1000);
        MemoryAllocator refusing = new MemoryAllocator() {
            @Override
            public MemorySegment allocate(long size, long alignment) {
                throw new OutOfMemoryError("mmap of " + size + " bytes failed");
            }

            @Override
            public void free(MemorySegment segment) {
            }
        };
        IOException tooBig = assertThrows(IOException.class,
                () -> RecordFile.open(big, RecordFile.Mode.READ, ReadOptions.defaults().withAllocator(refusing)));
        assertTrue(tooBig.getMessage().startsWith(big + ": cannot read") && tooBig.getMessage().contains("MAP mode"),
                tooBig.getMessage());
    }
}
