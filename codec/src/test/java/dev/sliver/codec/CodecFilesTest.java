package dev.sliver.codec;

import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Codec's file entry points through their public behaviour: what they return, the exact error
 * (source, reason, offset) when there is no record, and what Codec.write does to a file and its
 * sidecar; and ReadOptions' rules and the names sources get in errors.
 */
class CodecFilesTest {
    @TempDir
    Path dir;

    private Path three() throws IOException {
        Path file = dir.resolve("three.strg");
        Codec.write(file, List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}));
        Codec.write(file, List.of());
        Codec.write(file, List.of(new byte[] {6}));
        return file;
    }

    @Test
    void writeAppendsAndSaysHowManyBytes() throws Exception {
        Path file = dir.resolve("w.strg");
        assertEquals(37, Codec.write(file, List.of(new byte[] {1, 2, 3}, new byte[] {4, 5})));
        assertArrayEquals(Records.hex("1d00000000000000 0200000000000000 0300000000000000 0200000000000000 0102030405"),
                Files.readAllBytes(file), "the test vector of FORMAT.md");
        assertEquals(16, Codec.write(file, List.of()));
        assertEquals(53, Files.size(file));
    }

    @Test
    void writeCutsATornTailLongerThanTheNewRecordBeforeAppending() throws Exception {
        Path file = dir.resolve("torn.strg");
        Codec.write(file, List.of(new byte[] {1, 2, 3}));
        long firstRecord = Files.size(file);
        // A torn append of 64 bytes: a record of one 84-byte blob, cut 40 bytes into its payload.
        Files.write(file, Records.concat(Records.words(100, 1, 84), new byte[40]), StandardOpenOption.APPEND);
        assertEquals(25, Codec.write(file, List.of(new byte[] {7})));
        assertEquals(firstRecord + 25, Files.size(file), "the torn bytes past the new record are gone");
        List<Batch> records = Codec.readAll(file);
        try {
            assertEquals(List.of(List.of(1, 2, 3)), asLists(records.get(0)));
            assertEquals(List.of(List.of(7)), asLists(records.get(1)));
            assertEquals(2, records.size());
        } finally {
            records.forEach(Batch::close);
        }
    }

    @Test
    void writeToAnEmptyFileSetsAnOldSidecarAsideAndRefusesCorruption() throws Exception {
        Path file = dir.resolve("w.strg");
        Files.write(RecordFiles.sidecarOf(file), Records.concat(Records.words(Sidecar.MAGIC), new byte[24]));
        Files.write(file, new byte[0]);
        Codec.write(file, List.of(new byte[] {1}));
        assertFalse(Files.exists(RecordFiles.sidecarOf(file)));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.filter(p -> p.getFileName().toString().startsWith("w.strg.idx.set-aside-")).count());
        }
        byte[] before = Records.concat(Files.readAllBytes(file), Records.words(17, 2), new byte[9]);
        Files.write(file, before);
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> Codec.write(file, List.of()));
        assertEquals(file + " (record 1): count 2 needs more length fields than fit in total_length 17; nothing was "
                + "changed ('sliver repair --force' cuts the file there and keeps the cut bytes beside it) at byte 33",
                e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void readAllReturnsEveryRecordInOrder() throws Exception {
        Path file = three();
        List<Batch> batches = Codec.readAll(file);
        try {
            assertEquals(3, batches.size());
            assertEquals(List.of(List.of(1, 2, 3), List.of(4, 5)), asLists(batches.get(0)));
            assertEquals(List.of(), asLists(batches.get(1)));
            assertEquals(List.of(List.of(6)), asLists(batches.get(2)));
        } finally {
            batches.forEach(Batch::close);
        }
        Path empty = Files.write(dir.resolve("empty.strg"), new byte[0]);
        assertEquals(List.of(), Codec.readAll(empty));
    }

    private static List<List<Integer>> asLists(Batch batch) {
        return Records.toArrays(batch).stream().map(b -> {
            List<Integer> out = new java.util.ArrayList<>();
            for (byte x : b) {
                out.add((int) x);
            }
            return out;
        }).toList();
    }

    @Test
    void deserializeAPathReadsItsFirstRecordOrSaysThereIsNone() throws Exception {
        try (Batch first = Codec.deserialize(three())) {
            assertEquals(List.of(List.of(1, 2, 3), List.of(4, 5)), asLists(first));
        }
        Path empty = Files.write(dir.resolve("empty.strg"), new byte[0]);
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> Codec.deserialize(empty));
        assertEquals(empty + ": no record: the input ended before a header at byte 0", e.getMessage());
    }

    @Test
    void deserializeAtAPositionLeavesTheChannelsOwnPositionAlone() throws Exception {
        Path file = three();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.position(5);
            try (Batch second = Codec.deserialize(channel, 37)) {
                assertEquals(List.of(), asLists(second));
            }
            try (Batch third = Codec.deserialize(channel, 53, ReadOptions.defaults())) {
                assertEquals(List.of(List.of(6)), asLists(third));
            }
            assertEquals(5, channel.position());
            CorruptRecordException end = assertThrows(CorruptRecordException.class, () -> Codec.deserialize(channel, 78));
            assertEquals("file channel: no record: the input ended before a header at byte 78", end.getMessage());
            CorruptRecordException named = assertThrows(CorruptRecordException.class,
                    () -> Codec.deserialize(channel, 78, ReadOptions.defaults().withSourceName("the log")));
            assertEquals("the log: no record: the input ended before a header at byte 78", named.getMessage());
        }
        Path cut = Files.write(dir.resolve("cut.strg"), Records.concat(new byte[5], Records.words(100, 1, 84), new byte[10]));
        try (FileChannel channel = FileChannel.open(cut, StandardOpenOption.READ)) {
            CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> Codec.deserialize(channel, 5));
            assertEquals("file channel: total_length 100 exceeds the 26 bytes remaining at byte 5", e.getMessage(),
                    "a read at a position knows the file's size");
        }
    }

    @Test
    void tryDeserializeReturnsNullAtACleanEnd() throws Exception {
        Path file = three();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int i = 0; i < 3; i++) {
                try (Batch batch = Codec.tryDeserialize(channel, ReadOptions.defaults())) {
                    assertTrue(batch != null, "record " + i);
                }
            }
            assertEquals(78, channel.position(), "left right after the last record");
            assertNull(Codec.tryDeserialize(channel, ReadOptions.defaults()));
        }
    }

    @Test
    void mapTakesTheFirstRecordOfAFileOrSaysWhyNot() throws Exception {
        Path file = three();
        try (Batch first = Codec.map(file)) {
            assertEquals(List.of(List.of(1, 2, 3), List.of(4, 5)), asLists(first));
        }
        try (RecordFile all = Codec.mapAll(file)) {
            assertEquals(3, all.size());
            assertTrue(all.toString().startsWith("MappedRecordFile["), all.toString());
        }
        Path empty = Files.write(dir.resolve("empty.strg"), new byte[0]);
        assertEquals(empty + ": no record: the file is empty at byte 0",
                assertThrows(CorruptRecordException.class, () -> Codec.map(empty)).getMessage());
        Path short10 = Files.write(dir.resolve("short.strg"), new byte[10]);
        assertEquals(short10 + ": truncated record: expected at least 16 header bytes, got 10 at byte 10",
                assertThrows(CorruptRecordException.class, () -> Codec.map(short10)).getMessage());
        Path exactly16 = Files.write(dir.resolve("sixteen.strg"), Records.words(8, 0));
        try (Batch emptyRecord = Codec.map(exactly16)) {
            assertEquals(0, emptyRecord.size());
        }
        Path badLengths = Files.write(dir.resolve("bad.strg"), Records.concat(Records.words(29, 2, 3, 3), new byte[5]));
        assertEquals(badLengths + ": length of blob 1 (3) exceeds the 2 payload bytes left; lengths must sum to 5 at byte 24",
                assertThrows(CorruptRecordException.class, () -> Codec.map(badLengths)).getMessage());
        Path tooLong = Files.write(dir.resolve("long.strg"), Records.concat(Records.words(30, 1, 22), new byte[5]));
        assertEquals(tooLong + ": total_length 30 exceeds the 21 bytes remaining at byte 0",
                assertThrows(CorruptRecordException.class, () -> Codec.map(tooLong)).getMessage());
        IOException directory = assertThrows(IOException.class, () -> Codec.map(dir));
        assertTrue(directory.getMessage().startsWith(dir + ": cannot map: "), directory.getMessage());
        assertTrue(directory.getMessage().endsWith(" at byte 0"), directory.getMessage());
    }

    @Test
    void aFileThatHoldsNoValidRecordIsUnmappedWhenMapRefusesIt() throws Exception {
        Path maps = Path.of("/proc/self/maps");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(maps), "needs Linux's /proc/self/maps");
        Path bad = Files.write(dir.resolve("unmapped-after-refusal.strg"), Records.concat(Records.words(29, 2, 3, 3), new byte[5]));
        assertThrows(CorruptRecordException.class, () -> Codec.map(bad));
        assertFalse(Files.readString(maps).contains(bad.toString()), "the refused file is still mapped");
    }

    @Test
    void readOptionsCheckWhatTheyAreGiven() throws Exception {
        ReadOptions defaults = ReadOptions.defaults();
        assertEquals(256L << 20, defaults.maxRecordBytes());
        assertEquals(ReadOptions.DEFAULT_MAX_RECORD_BYTES, defaults.maxRecordBytes());
        assertSame(ReadOptions.defaultAllocator(), defaults.allocator());
        assertNull(defaults.sourceName());
        assertEquals("maxRecordBytes must be at least 16, got 15", assertThrows(IllegalArgumentException.class,
                () -> defaults.withMaxRecordBytes(15)).getMessage());
        assertEquals(16, defaults.withMaxRecordBytes(16).maxRecordBytes());
        assertEquals("x", defaults.withSourceName("x").withMaxRecordBytes(99).sourceName());
        assertEquals(99, defaults.withMaxRecordBytes(99).withSourceName("x").maxRecordBytes());
        assertEquals(99, defaults.withMaxRecordBytes(99).withAllocator(defaults.allocator()).maxRecordBytes());
        assertEquals("x", defaults.withSourceName("x").withAllocator(defaults.allocator()).sourceName());
        assertNull(new ReadOptions(defaults.allocator(), 64).sourceName());
        assertThrows(NullPointerException.class, () -> defaults.withSourceName(null));
        assertThrows(NullPointerException.class, () -> defaults.withAllocator(null));

        Path file = three();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             SocketChannel socket = SocketChannel.open()) {
            Pipe pipe = Pipe.open();
            try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
                assertEquals("file channel", defaults.nameOf(channel));
                assertEquals("socket channel", defaults.nameOf(socket));
                assertEquals("pipe", defaults.nameOf(source));
                assertEquals("stream", defaults.nameOf(Channels.newChannel(new ByteArrayInputStream(new byte[0]))));
                assertEquals("stream", defaults.nameOf(sink));
                assertEquals("mine", defaults.withSourceName("mine").nameOf(channel));
            }
        }
    }
}
