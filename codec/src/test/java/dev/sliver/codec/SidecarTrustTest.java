package dev.sliver.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17 F: the sidecar never makes Sliver report records the data does not hold, is bounded by
 * the data before anything is read, and a foreign, stale or damaged one is set aside and rebuilt.
 */
class SidecarTrustTest {
    @TempDir
    Path dir;

    private void write(Path file, int n) throws IOException {
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.FORCE)) {
            for (int i = 0; i < n; i++) {
                appender.append(List.of(new byte[] {(byte) i}, new byte[i % 7]));
            }
        }
    }

    private List<Path> setAside(Path file) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(file.getFileName() + ".idx.set-aside")).toList();
        }
    }

    @Test
    void aHugeSparseSidecarOrOneLinkedToADeviceIsSetAsideNotRead() throws Exception {
        Path file = dir.resolve("log.strg");
        write(file, 3);
        Path sidecar = RecordFiles.sidecarOf(file);
        Files.delete(sidecar);
        try (RandomAccessFile raf = new RandomAccessFile(sidecar.toFile(), "rw")) {
            raf.setLength(3L << 30); // 3 GiB of nothing: the report's OutOfMemoryError
        }
        for (RecordFile.Mode mode : RecordFile.Mode.values()) {
            try (RecordFile records = RecordFile.open(file, mode, ReadOptions.defaults())) {
                assertEquals(3, records.size());
                assertEquals(0, records.checksummedRecords());
            }
        }
        assertEquals(0, RecordFiles.verify(file).checksummed(), "a foreign sidecar vouches for nothing");
        RecordFiles.repair(file, false);
        assertEquals(1, setAside(file).size(), "set aside, not deleted");
        assertEquals(3, RecordFiles.verify(file).checksummed(), "rebuilt");

        Files.delete(sidecar);
        Files.createSymbolicLink(sidecar, Path.of("/dev/zero"));
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            assertEquals(3, appender.records());
        }
        assertTrue(Files.isRegularFile(sidecar, java.nio.file.LinkOption.NOFOLLOW_LINKS), "a real sidecar again");
        assertEquals(3, RecordFiles.verify(file).checksummed());
    }

    @Test
    void aForeignFileNamedLikeTheSidecarIsKeptAside() throws Exception {
        Path file = dir.resolve("new.strg");
        byte[] foreign = "my own notes, not a sidecar\n".getBytes();
        Files.write(RecordFiles.sidecarOf(file), foreign);
        write(file, 2);
        List<Path> aside = setAside(file);
        assertEquals(1, aside.size());
        assertArrayEquals(foreign, Files.readAllBytes(aside.getFirst()), "the foreign bytes are kept, never overwritten");
        assertEquals(2, RecordFiles.verify(file).checksummed(), "a healthy file verifies");
    }

    /** Data rewritten as Codec.write's javadoc suggests (delete, write), the old sidecar left behind. */
    @ParameterizedTest
    @EnumSource(RecordFile.Mode.class)
    void aStaleSidecarNeverInventsRecords(RecordFile.Mode mode) throws Exception {
        Path file = dir.resolve("log.strg");
        write(file, 100);
        Path sidecar = RecordFiles.sidecarOf(file);
        byte[] old = Files.readAllBytes(sidecar);
        Files.delete(file);
        for (int i = 0; i < 20; i++) {
            Codec.write(file, List.of(new byte[100 + i]));
        }
        Files.write(sidecar, old); // even put back by hand
        try (RecordFile records = RecordFile.open(file, mode, ReadOptions.defaults())) {
            assertEquals(20, records.size());
            assertEquals(Files.size(file), records.validBytes());
            for (int i = 0; i < 20; i++) {
                try (var batch = records.get(i)) {
                    assertEquals(100 + i, batch.get(0).length());
                }
            }
        }
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            assertEquals(20, appender.records());
        }
        assertEquals(20, RecordFiles.verify(file).checksummed());
    }

    /** Entries whose running end overflows: the report saw 5 records for 3 and offsets of 2^63-1 and -2. */
    @Test
    void entriesThatOverflowAreNotTrusted() throws Exception {
        Path file = dir.resolve("log.strg");
        write(file, 3);
        ByteBuffer bad = ByteBuffer.allocate(8 + 5 * 24).order(ByteOrder.LITTLE_ENDIAN);
        bad.putLong(Sidecar.MAGIC);
        long size0 = RecordFile.open(file).validBytes(); // every record in one entry: does not chain with the rest
        Sidecar.putEntry(bad, 0, Long.MAX_VALUE, 0);
        Sidecar.putEntry(bad, Long.MAX_VALUE, 3, 0);
        Sidecar.putEntry(bad, -2, 20, 0);
        Sidecar.putEntry(bad, 18, 20, 0);
        Sidecar.putEntry(bad, 38, size0, 0);
        Files.write(RecordFiles.sidecarOf(file), bad.array());
        for (RecordFile.Mode mode : RecordFile.Mode.values()) {
            try (RecordFile records = RecordFile.open(file, mode, ReadOptions.defaults())) {
                assertEquals(3, records.size(), mode.toString());
                for (int i = 0; i < 3; i++) {
                    assertTrue(records.offset(i) >= 0 && records.offset(i) < Files.size(file));
                }
            }
        }
    }

    /** A crash in the middle of a rebuild never loses the checksums the appender wrote. */
    @Test
    void aRebuildThatDiesBeforeItsRenameLeavesTheOldSidecar() throws Exception {
        Path file = dir.resolve("log.strg");
        write(file, 4);
        Path sidecar = RecordFiles.sidecarOf(file);
        try (RandomAccessFile raf = new RandomAccessFile(sidecar.toFile(), "rw")) {
            raf.seek(8 + 2 * 24 + 8); // entry 2 damaged: a rebuild is due
            raf.write(7);
        }
        byte[] before = Files.readAllBytes(sidecar);
        Storage dies = new Storage() {
            @Override
            public void move(Path source, Path target) throws IOException {
                throw new IOException("power lost");
            }
        };
        assertThrows(IOException.class, () -> RecordFiles.repair(dies, file, false));
        assertArrayEquals(before, Files.readAllBytes(sidecar), "the sidecar in place is the old one, whole");
        try (RecordFile records = RecordFile.open(file)) {
            assertEquals(2, records.checksummedRecords(), "its first two entries still vouch with the appender's checksums");
        }
    }
}
