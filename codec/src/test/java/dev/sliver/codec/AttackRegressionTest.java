package dev.sliver.codec;

import dev.sliver.core.CorruptRecordException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a hostile review of the rebuilt layer found, each shown failing before its fix. */
class AttackRegressionTest {
    @TempDir
    Path dir;

    private Path log(int n) throws IOException {
        Path file = dir.resolve("log.strg");
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.FORCE)) {
            for (int i = 0; i < n; i++) {
                appender.append(List.of(new byte[1000]));
            }
        }
        return file;
    }

    /** Run in another process: tries to repair the file named by {@code args[0]}, says whether it was refused. */
    public static void main(String[] args) throws IOException {
        try {
            RecordFiles.repair(Path.of(args[0]), false);
            System.out.println("opened");
        } catch (FileSystemException e) {
            System.out.println(e.getReason() != null && e.getReason().contains("in use") ? "refused" : e.toString());
        }
    }

    /** Closing any descriptor of a file drops the process's POSIX locks: a reader in the writer's JVM must not. */
    @Test
    void aReaderOrAFailedSecondWriterInTheSameJvmKeepsTheLock() throws Exception {
        Path file = log(1);
        try (RecordAppender writer = RecordAppender.open(file, RecordAppender.Durability.FORCE)) {
            assertThrows(FileSystemException.class, () -> RecordAppender.open(file, RecordAppender.Durability.FORCE));
            RecordFile.open(file).close();
            RecordFiles.check(file);
            try (FileChannel other = FileChannel.open(file, StandardOpenOption.READ)) {
                other.size();
            }
            Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), AttackRegressionTest.class.getName(), file.toString())
                    .redirectErrorStream(true).start();
            String said = new String(other.getInputStream().readAllBytes()).strip();
            other.waitFor();
            assertEquals("refused", said, "another process must still find the file locked");
            writer.append(List.of(new byte[] {1}));
        }
    }

    /** A FORCE append acknowledged and then a fault: the sidecar already vouches for it, so nothing is cut. */
    @Test
    void aZeroedSectorInForcedRecordsIsCorruptionNotATornTail() throws Exception {
        Path file = log(10);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(2048);
            raf.write(new byte[512]);
        }
        long size = Files.size(file);
        assertThrows(CorruptRecordException.class, () -> RecordAppender.open(file, RecordAppender.Durability.NONE));
        assertThrows(CorruptRecordException.class, () -> Codec.write(file, List.of(new byte[] {1})));
        assertEquals(size, Files.size(file));
    }

    @Test
    void aHardLinkOrAFileWhereTheTemporarySidecarGoesIsNeverTruncated() throws Exception {
        Path file = log(3);
        byte[] before = Files.readAllBytes(file);
        Files.delete(RecordFiles.sidecarOf(file));
        Files.createLink(dir.resolve("log.strg.idx.tmp"), file);
        RecordFiles.repair(file, false);
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(3, RecordFiles.verify(file).checksummed());
    }

    @Test
    void codecWriteCutsATornTailBeforeItAppends() throws Exception {
        Path file = log(2);
        Files.write(file, new byte[] {42, 0, 0}, StandardOpenOption.APPEND);
        Codec.write(file, List.of(new byte[] {7}));
        try (RecordFile records = RecordFile.open(file)) {
            assertEquals(3, records.size());
            assertEquals(0, records.tornBytes());
        }
    }

    /** A deep truncation must not make the sidecar look foreign and the loss look like a torn append. */
    @Test
    void aDeeplyTruncatedFileIsMissingRecordsNotTorn() throws Exception {
        Path file = log(10);
        for (long cut : new long[] {100, 0}) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(cut);
            }
            assertThrows(CorruptRecordException.class, () -> RecordFiles.repair(file, false), "cut at " + cut);
            assertThrows(CorruptRecordException.class, () -> RecordAppender.open(file, RecordAppender.Durability.NONE));
            assertEquals(cut, Files.size(file));
        }
    }

    /** A stale sidecar whose first and last entries happen to fit must not make MAP invent records. */
    @Test
    void mapNeverReturnsRecordsTheDataDoesNotHold() throws Exception {
        Path file = dir.resolve("stale.strg");
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.FORCE)) {
            for (int i = 0; i < 3; i++) {
                appender.append(List.of(new byte[76])); // 100 bytes each
            }
        }
        byte[] inner = Records.serialize(List.of("ZZZZ".repeat(19).getBytes())); // a 100-byte record
        byte[] second = Records.serialize(List.of(new byte[68], inner)); // its payload holds it at file offset 200
        byte[] data = Records.concat(Records.serialize(List.of(new byte[76])), second);
        assertEquals(300, data.length);
        Files.write(file, data);
        try (RecordFile mapped = RecordFile.open(file, RecordFile.Mode.MAP, ReadOptions.defaults())) {
            assertEquals(2, mapped.size());
        }
    }

    @Test
    void aSparseZeroTailIsCheckedQuickly() throws Exception {
        Path file = log(2);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() + (1L << 30)); // a GiB of zeros: 4.3 s byte by byte before
        }
        assertEquals(RecordFiles.Tail.TORN, RecordFiles.check(file).tail());
        try (RecordFile mapped = RecordFile.open(file, RecordFile.Mode.MAP, ReadOptions.defaults())) {
            assertEquals(1L << 30, mapped.tornBytes());
        }
    }
}
