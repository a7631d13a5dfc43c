package dev.sliver.codec;

import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.Closeable;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What check, verify, repair and index report and do, field by field (FORMAT.md, "Files of
 * records" and "The sidecar index"): the Report of each kind of tail, the exact problem, which
 * bytes a repair cuts and where it saves them, and the sidecar entries it leaves.
 */
class RecordFilesTest {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("log.strg");
    }

    /** Record {@code i}: one blob of one byte, {@code i}: 25 bytes. */
    private static List<byte[]> blobs(int i) {
        return List.of(new byte[] {(byte) i});
    }

    private Path write(int n) throws Exception {
        try (RecordAppender appender = RecordAppender.open(file(), RecordAppender.Durability.FORCE)) {
            for (int i = 0; i < n; i++) {
                assertEquals(new RecordAppender.Appended(25L * i, i, 25), appender.append(blobs(i)));
            }
        }
        return file();
    }

    private static void put(Path file, long at, byte... bytes) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(at);
            raf.write(bytes);
        }
    }

    private static long[] entry(Path file, int i) throws Exception {
        ByteBuffer side = ByteBuffer.wrap(Files.readAllBytes(RecordFiles.sidecarOf(file))).order(ByteOrder.LITTLE_ENDIAN);
        int at = Sidecar.HEADER + Sidecar.ENTRY * i;
        return new long[] {side.getLong(at), side.getLong(at + 8), side.getInt(at + 16)};
    }

    private static int crcOf(byte[] bytes, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, to - from);
        return (int) crc.getValue();
    }

    private List<Path> named(String prefix) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
        }
    }

    @Test
    void aCleanFileReportsItsRecordsAndChecksums() throws Exception {
        Path file = write(3);
        RecordFiles.Report expected = new RecordFiles.Report(3, 75, RecordFiles.Tail.NONE, 0, 3, null, null);
        assertEquals(expected, RecordFiles.check(file));
        assertEquals(expected, RecordFiles.verify(file));
        assertEquals(expected, RecordFiles.repair(file, false));
        assertEquals(8 + 3 * 24, Files.size(RecordFiles.sidecarOf(file)));
        byte[] data = Files.readAllBytes(file);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(new long[] {25L * i, 25, crcOf(data, 25 * i, 25 * i + 25)}, entry(file, i), "entry " + i);
        }
        Files.delete(RecordFiles.sidecarOf(file));
        assertEquals(new RecordFiles.Report(3, 75, RecordFiles.Tail.NONE, 0, 0, null, null), RecordFiles.check(file));
        assertEquals(new RecordFiles.Report(3, 75, RecordFiles.Tail.NONE, 0, 0, null, null), RecordFiles.verify(file));
    }

    @Test
    void aTornTailIsReportedByCheckAndCutByRepairOnly() throws Exception {
        Path file = write(3);
        byte[] torn = Records.concat(Records.words(100), new byte[] {1, 0});
        Files.write(file, torn, java.nio.file.StandardOpenOption.APPEND);
        byte[] before = Files.readAllBytes(file);
        RecordFiles.Report expected = new RecordFiles.Report(3, 75, RecordFiles.Tail.TORN, 10, 3, null, null);
        assertEquals(expected, RecordFiles.check(file));
        assertEquals(expected, RecordFiles.verify(file));
        assertArrayEquals(before, Files.readAllBytes(file), "check and verify change nothing");
        assertEquals(expected, RecordFiles.repair(file, false));
        assertArrayEquals(Arrays.copyOf(before, 75), Files.readAllBytes(file));
        assertEquals(8 + 3 * 24, Files.size(RecordFiles.sidecarOf(file)));
        assertEquals(new RecordFiles.Report(3, 75, RecordFiles.Tail.NONE, 0, 3, null, null), RecordFiles.check(file));
        assertEquals(List.of(), named("log.strg.lost"));
    }

    @Test
    void corruptionIsReportedWithItsRecordAndOffsetAndLeftAloneUnlessForced() throws Exception {
        Path file = write(3);
        put(file, 25 + 8, (byte) 2); // record 1's count: 2 lengths cannot fit in its total_length of 17
        byte[] before = Files.readAllBytes(file);
        byte[] sidecarBefore = Files.readAllBytes(RecordFiles.sidecarOf(file));
        String problem = file + ": record 1 (25 bytes) is listed in the sidecar, so it was durably acknowledged, but "
                + "count 2 needs more length fields than fit in total_length 17 (records are missing or damaged) at byte 25";
        RecordFiles.Report corrupt = new RecordFiles.Report(1, 25, RecordFiles.Tail.CORRUPT, 50, 1, problem, null);
        assertEquals(corrupt, RecordFiles.check(file));
        CorruptRecordException verify = assertThrows(CorruptRecordException.class, () -> RecordFiles.verify(file));
        assertEquals(problem, verify.getMessage());
        CorruptRecordException repair = assertThrows(CorruptRecordException.class, () -> RecordFiles.repair(file, false));
        assertEquals(problem.replace(" at byte 25", "; nothing was changed ('sliver repair --force' cuts the file "
                + "there and keeps the cut bytes beside it) at byte 25"), repair.getMessage());
        assertEquals(25, repair.offset());
        assertThrows(CorruptRecordException.class, () -> RecordFiles.index(file));
        assertArrayEquals(before, Files.readAllBytes(file), "nothing was cut");
        assertArrayEquals(sidecarBefore, Files.readAllBytes(RecordFiles.sidecarOf(file)));

        Path lost = dir.resolve("log.strg.lost-25");
        assertEquals(new RecordFiles.Report(1, 25, RecordFiles.Tail.CORRUPT, 50, 1, problem, lost),
                RecordFiles.repair(file, true));
        assertArrayEquals(Arrays.copyOf(before, 25), Files.readAllBytes(file));
        assertArrayEquals(Arrays.copyOfRange(before, 25, 75), Files.readAllBytes(lost), "the cut bytes, saved");
        assertEquals(8 + 24, Files.size(RecordFiles.sidecarOf(file)), "rebuilt with the entry it kept");
        assertArrayEquals(new long[] {0, 25, crcOf(before, 0, 25)}, entry(file, 0));
        List<Path> aside = named("log.strg.idx.set-aside-");
        assertEquals(1, aside.size());
        assertArrayEquals(sidecarBefore, Files.readAllBytes(aside.get(0)), "the old sidecar, set aside whole");
        assertEquals(new RecordFiles.Report(1, 25, RecordFiles.Tail.NONE, 0, 1, null, null), RecordFiles.verify(file));

        Files.write(file, Arrays.copyOfRange(before, 25, 50), java.nio.file.StandardOpenOption.APPEND); // the bad one again
        String again = file + " (record 1): count 2 needs more length fields than fit in total_length 17 at byte 33";
        assertEquals(new RecordFiles.Report(1, 25, RecordFiles.Tail.CORRUPT, 25, 1, again, null), RecordFiles.check(file));
        assertEquals(new RecordFiles.Report(1, 25, RecordFiles.Tail.CORRUPT, 25, 1, again,
                dir.resolve("log.strg.lost-25.1")), RecordFiles.repair(file, true));
        assertArrayEquals(Arrays.copyOfRange(before, 25, 50), Files.readAllBytes(dir.resolve("log.strg.lost-25.1")));
        assertArrayEquals(Arrays.copyOfRange(before, 25, 75), Files.readAllBytes(lost), "the first save is kept");
        assertEquals(25, Files.size(file));

        Files.write(file, Arrays.copyOfRange(before, 25, 50), java.nio.file.StandardOpenOption.APPEND); // and a third time
        assertEquals(dir.resolve("log.strg.lost-25.2"), RecordFiles.repair(file, true).savedTo());
        assertArrayEquals(Arrays.copyOfRange(before, 25, 50), Files.readAllBytes(dir.resolve("log.strg.lost-25.2")));
    }

    /**
     * A file that shrinks while a forced repair saves its tail (another program truncated it):
     * the repair fails naming the save and the byte, and cuts nothing (a save that took the
     * shrinking for progress would never end).
     */
    @Test
    void aFileThatShrinksWhileItsTailIsSavedIsNotCut() throws Exception {
        Path file = write(3);
        put(file, 25 + 8, (byte) 2);
        byte[] before = Files.readAllBytes(file);
        Storage shrinking = new Storage() {
            @Override
            public java.nio.channels.FileChannel open(Path path, java.util.Set<? extends java.nio.file.OpenOption> options)
                    throws java.io.IOException {
                java.nio.channels.FileChannel real = java.nio.channels.FileChannel.open(path, options);
                if (!path.equals(file)) {
                    return real;
                }
                return new ForwardingFileChannel(real) {
                    @Override
                    public long transferTo(long position, long count, java.nio.channels.WritableByteChannel target) {
                        return 0; // what transferTo returns past the end of a file that shrank
                    }
                };
            }
        };
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> RecordFiles.repair(shrinking, file, true));
        Path lost = dir.resolve("log.strg.lost-25");
        assertEquals(lost + ": saving the bytes to cut failed (nothing was cut): " + file
                + ": the file shrank while its tail was saved at byte 25", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file), "nothing was cut");
    }

    @Test
    void aFileThatIsNotRecordsGetsNoAdviceToCutIt() throws Exception {
        Path file = Files.writeString(file(), "notes of a meeting, not records at all");
        ByteBuffer words = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        String message = file + ": not a record file: it does not start with a record (its count "
                + Long.toUnsignedString(words.getLong(8)) + " does not fit its total_length "
                + Long.toUnsignedString(words.getLong(0)) + ") at byte 0";
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> RecordFiles.repair(file, false));
        assertEquals(message, e.getMessage(), "no advice to cut someone's file");
        assertEquals(message, assertThrows(CorruptRecordException.class,
                () -> RecordAppender.open(file, RecordAppender.Durability.NONE)).getMessage());
        assertEquals(new RecordFiles.Report(0, 0, RecordFiles.Tail.CORRUPT, 38, 0, message, null), RecordFiles.check(file));
        assertEquals("notes of a meeting, not records at all", Files.readString(file));
        assertFalse(Files.exists(RecordFiles.sidecarOf(file)));
    }

    @Test
    void indexWritesTheEntriesOfAFileWrittenByOtherMeans() throws Exception {
        Path file = file();
        for (int i = 0; i < 5; i++) {
            Codec.write(file, List.of(new byte[i], new byte[] {(byte) i}));
        }
        assertFalse(Files.exists(RecordFiles.sidecarOf(file)));
        RecordFiles.index(file);
        byte[] data = Files.readAllBytes(file);
        long offset = 0;
        for (int i = 0; i < 5; i++) {
            int size = 8 + 8 + 16 + i + 1;
            assertArrayEquals(new long[] {offset, size, crcOf(data, (int) offset, (int) offset + size)}, entry(file, i));
            offset += size;
        }
        assertEquals(8 + 5 * 24, Files.size(RecordFiles.sidecarOf(file)));
        assertEquals(new RecordFiles.Report(5, offset, RecordFiles.Tail.NONE, 0, 5, null, null), RecordFiles.verify(file));
        Codec.write(file, List.of(new byte[] {9}));
        assertEquals(5, RecordFiles.check(file).checksummed(), "Codec.write adds no entry");
        RecordFiles.index(file);
        assertEquals(new RecordFiles.Report(6, offset + 25, RecordFiles.Tail.NONE, 0, 6, null, null), RecordFiles.check(file));
        assertArrayEquals(new long[] {offset, 25, crcOf(Files.readAllBytes(file), (int) offset, (int) offset + 25)},
                entry(file, 5), "the missing entry is appended");
        assertEquals(List.of(), named("log.strg.idx.set-aside"), "an appendable sidecar is completed in place");
    }

    @Test
    void verifyNamesTheFirstRecordWhoseBytesDoNotMatch() throws Exception {
        Path file = write(3);
        byte[] before = Files.readAllBytes(file);
        put(file, 50 + 24, (byte) 77); // record 2's one payload byte
        int actual = crcOf(Files.readAllBytes(file), 50, 75);
        int expected = crcOf(before, 50, 75);
        String message = file + ": record 2: CRC32C 0x" + Integer.toHexString(actual) + " does not match the sidecar's 0x"
                + Integer.toHexString(expected) + " at byte 50";
        assertEquals(message, assertThrows(CorruptRecordException.class, () -> RecordFiles.verify(file)).getMessage());
        assertEquals(new RecordFiles.Report(3, 75, RecordFiles.Tail.NONE, 0, 3, null, null), RecordFiles.check(file),
                "check reads no checksum");
        for (RecordFile.Mode mode : RecordFile.Mode.values()) {
            try (RecordFile records = RecordFile.open(file, mode, ReadOptions.defaults())) {
                assertEquals(message, assertThrows(CorruptRecordException.class, records::verify).getMessage(), mode.name());
                assertEquals(message, assertThrows(CorruptRecordException.class, () -> records.getVerified(2))
                        .getMessage(), mode.name());
                try (Batch one = records.getVerified(1)) {
                    assertArrayEquals(new byte[] {1}, one.get(0).toByteArray());
                }
            }
        }
    }

    @Test
    void forgetSidecarDeletesASidecarAndSetsAsideAForeignFile() throws Exception {
        Path file = write(2);
        Path sidecar = RecordFiles.sidecarOf(file);
        assertEquals(dir.resolve("log.strg.idx"), sidecar);
        RecordFiles.forgetSidecar(file);
        assertFalse(Files.exists(sidecar));
        RecordFiles.forgetSidecar(file); // nothing there: nothing to do
        assertFalse(Files.exists(sidecar));
        Files.write(sidecar, new byte[0]);
        RecordFiles.forgetSidecar(file);
        assertFalse(Files.exists(sidecar));
        Files.writeString(sidecar, "someone's notes");
        RecordFiles.forgetSidecar(file);
        assertFalse(Files.exists(sidecar));
        List<Path> aside = named("log.strg.idx.set-aside-");
        assertEquals(1, aside.size());
        assertEquals("someone's notes", Files.readString(aside.get(0)));
    }

    @Test
    void aLockKeepsAppendersAndRepairsOutUntilClosed() throws Exception {
        Path file = write(1);
        Closeable lock = RecordFiles.lock(file);
        try {
            FileSystemException e = assertThrows(FileSystemException.class,
                    () -> RecordAppender.open(file, RecordAppender.Durability.NONE));
            assertEquals(file.toString(), e.getFile());
            assertEquals("in use by another writer (an appender or repair holds its lock): one writer per file",
                    e.getReason());
            assertThrows(FileSystemException.class, () -> RecordFiles.repair(file, false));
            assertThrows(FileSystemException.class, () -> RecordFiles.lock(file));
            assertEquals(1, RecordFiles.check(file).records(), "readers are not kept out");
            assertTrue(Files.exists(dir.resolve("log.strg.lock")));
        } finally {
            lock.close();
        }
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            assertEquals(1, appender.records());
        }
    }

    @Test
    void aRecordFileSaysWhatItHolds() throws Exception {
        Path file = write(3);
        byte[] sidecarOfThree = Files.readAllBytes(RecordFiles.sidecarOf(file));
        Files.write(file, Records.concat(Records.words(64), new byte[4]), java.nio.file.StandardOpenOption.APPEND);
        for (RecordFile.Mode mode : RecordFile.Mode.values()) {
            try (RecordFile records = RecordFile.open(file, mode, ReadOptions.defaults())) {
                assertEquals(3, records.size());
                assertEquals(75, records.validBytes());
                assertEquals(12, records.tornBytes());
                assertEquals(3, records.checksummedRecords());
                assertEquals(file, records.path());
                assertEquals(List.of(0L, 25L, 50L), List.of(records.offset(0), records.offset(1), records.offset(2)));
                assertThrows(IndexOutOfBoundsException.class, () -> records.offset(3));
                assertThrows(IndexOutOfBoundsException.class, () -> records.get(-1));
                assertEquals((mode == RecordFile.Mode.READ ? "ReadRecordFile[" : "MappedRecordFile[") + file
                        + ", 3 records, 12 torn bytes]", records.toString());
                assertEquals(3, records.verify());
                var it = records.iterator();
                for (int i = 0; i < 3; i++) {
                    assertTrue(it.hasNext());
                    try (Batch batch = it.next()) {
                        assertArrayEquals(new byte[] {(byte) i}, batch.get(0).toByteArray());
                    }
                }
                assertFalse(it.hasNext());
                assertThrows(NoSuchElementException.class, it::next);
            }
        }
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.NONE)) { // cuts the tail
            assertEquals(new RecordAppender.Appended(75, 3, 25), appender.append(blobs(3)));
            assertEquals(new RecordAppender.Appended(100, 4, 25), appender.append(blobs(4)));
        }
        assertEquals(8 + 5 * 24, Files.size(RecordFiles.sidecarOf(file)));
        Files.write(RecordFiles.sidecarOf(file), sidecarOfThree); // a sidecar that lags: 3 of 5 records
        for (RecordFile.Mode mode : RecordFile.Mode.values()) {
            try (RecordFile records = RecordFile.open(file, mode, ReadOptions.defaults())) {
                assertEquals(5, records.size());
                assertEquals(0, records.tornBytes());
                assertEquals((mode == RecordFile.Mode.READ ? "ReadRecordFile[" : "MappedRecordFile[") + file
                        + ", 5 records]", records.toString());
                for (int i : new int[] {3, 4}) { // the first without a checksum, and one after it
                    IllegalStateException e = assertThrows(IllegalStateException.class, () -> records.getVerified(i));
                    assertEquals(file + ": record " + i + " has no checksum (the sidecar covers 3 records)", e.getMessage());
                }
                try (var verified = records.getVerified(2)) {
                    assertEquals(1, verified.size(), "the last record with a checksum");
                }
            }
        }
    }

    /** READ mode rewrites length tables into end offsets: a checksum derives the lengths back, 8,192 at a time. */
    @Test
    void aRecordOfMoreBlobsThanOneBatchOfLengthsVerifiesInEveryMode() throws Exception {
        List<byte[]> blobs = new java.util.ArrayList<>();
        for (int i = 0; i < 8192 + 3; i++) {
            blobs.add(new byte[] {(byte) i});
        }
        try (RecordAppender appender = RecordAppender.open(file(), RecordAppender.Durability.FORCE)) {
            appender.append(blobs);
        }
        for (RecordFile.Mode mode : RecordFile.Mode.values()) {
            try (RecordFile records = RecordFile.open(file(), mode, ReadOptions.defaults())) {
                assertEquals(1, records.verify(), mode.name());
                try (Batch batch = records.getVerified(0)) {
                    assertEquals(8192 + 3, batch.size());
                }
            }
        }
    }
}
