package dev.sliver.codec;

import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** Reads at a position, shared by many threads, and reading until a clean end without an exception. */
class PositionalReadTest {
    @TempDir
    Path dir;

    @Test
    void manyThreadsReadRecordsByPositionFromOneChannel() throws Exception {
        Path file = dir.resolve("log.strg");
        Random random = new Random(3);
        List<List<byte[]>> written = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        for (int r = 0; r < 50; r++) {
            offsets.add(Files.exists(file) ? Files.size(file) : 0);
            List<byte[]> blobs = Records.randomBlobs(random);
            written.add(blobs);
            Codec.write(file, blobs);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.position(7);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                readers.add(Thread.ofPlatform().start(() -> {
                    Random mine = new Random(seed);
                    try {
                        for (int i = 0; i < 200; i++) {
                            int r = mine.nextInt(written.size());
                            try (Batch batch = Codec.deserialize(channel, offsets.get(r))) {
                                List<byte[]> got = Records.toArrays(batch);
                                assertEquals(written.get(r).size(), got.size());
                                for (int b = 0; b < got.size(); b++) {
                                    assertTrue(Arrays.equals(written.get(r).get(b), got.get(b)), "record " + r + " blob " + b);
                                }
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread t : readers) {
                t.join(60_000);
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals(7, channel.position(), "the channel's own position is not used or moved");
            CorruptRecordException past = assertThrows(CorruptRecordException.class,
                    () -> Codec.deserialize(channel, Files.size(file)));
            assertEquals("file channel: no record: the input ended before a header at byte " + Files.size(file), past.getMessage());
            CorruptRecordException inside = assertThrows(CorruptRecordException.class, () -> Codec.deserialize(channel, offsets.get(1) + 1));
            assertTrue(inside.offset() >= offsets.get(1) + 1, "offsets are positions in the file: " + inside.getMessage());
        }
    }

    @Test
    void tryDeserializeReadsUntilACleanEndAndThrowsOnlyInsideARecord() throws Exception {
        byte[] one = Records.serialize(List.of(new byte[] {1}));
        byte[] two = Records.serialize(List.of(new byte[] {2, 2}, new byte[0]));
        ReadableByteChannel stream = Channels.newChannel(new ByteArrayInputStream(Records.concat(one, two)));
        int records = 0;
        for (;;) {
            try (Batch batch = Codec.tryDeserialize(stream, ReadOptions.defaults())) {
                if (batch == null) {
                    break;
                }
                records++;
            }
        }
        assertEquals(2, records);
        ReadableByteChannel cut = Channels.newChannel(new ByteArrayInputStream(Records.concat(one, Arrays.copyOf(two, 20))));
        Codec.tryDeserialize(cut, ReadOptions.defaults()).close();
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> Codec.tryDeserialize(cut, ReadOptions.defaults()));
        assertTrue(e.reason().startsWith("truncated record"), e.getMessage());
    }

    /** A read at byte 0 is a read like any other; a negative position is refused by name. */
    @Test
    void aPositionOfZeroIsReadAndANegativeOneRefused() throws Exception {
        Path file = dir.resolve("one.strg");
        Codec.write(file, List.of(new byte[] {4, 2}));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             Batch batch = Codec.deserialize(channel, 0)) {
            assertArrayEquals(new byte[] {4, 2}, batch.get(0).toByteArray());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Codec.deserialize(channel, -1));
            assertEquals("negative position: -1", e.getMessage());
        }
    }

    /** The positional view is a read-only seekable channel of its own: it moves, reads there, refuses writes, and leaves the file open. */
    @Test
    void thePositionalViewIsAReadOnlySeekableChannel() throws Exception {
        Path file = Files.write(dir.resolve("bytes"), new byte[] {0, 1, 2, 3, 4, 5, 6, 7});
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            PositionalChannel view = new PositionalChannel(channel, 2);
            assertSame(view, view.position(5));
            java.nio.ByteBuffer two = java.nio.ByteBuffer.allocate(2);
            assertEquals(2, view.read(two));
            assertArrayEquals(new byte[] {5, 6}, two.array());
            assertEquals(7, view.position());
            assertEquals(0, channel.position(), "the file's own position does not move");
            assertEquals(8, view.size());
            assertThrows(java.nio.channels.NonWritableChannelException.class, () -> view.write(java.nio.ByteBuffer.allocate(1)));
            assertThrows(java.nio.channels.NonWritableChannelException.class, () -> view.truncate(0));
            assertTrue(view.isOpen());
            view.close();
            assertTrue(channel.isOpen(), "closing the view leaves the file open");
            channel.close();
            assertFalse(view.isOpen(), "the view is open while its file is");
        } finally {
            channel.close();
        }
    }
}
