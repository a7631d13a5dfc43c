package dev.sliver.codec;

import dev.sliver.core.AutoArenaAllocator;
import dev.sliver.core.Batch;
import dev.sliver.core.CountingAllocator;
import dev.sliver.core.Slice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.sliver.codec.Records.*;
import static org.junit.jupiter.api.Assertions.*;

class CodecRoundTripTest {
    private static final String VECTOR = "1d00000000000000 0200000000000000 0300000000000000 0200000000000000 0102030405";

    private final CountingAllocator allocator = new CountingAllocator(new AutoArenaAllocator());
    private final ReadOptions options = ReadOptions.defaults().withAllocator(allocator);

    @Test
    void theDesignNoteVectorSerializesToExactly37Bytes() throws Exception {
        byte[] bytes = serialize(List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}));
        assertArrayEquals(hex(VECTOR), bytes);
        assertEquals(37, bytes.length);
    }

    @Test
    void theDesignNoteVectorDeserializes() throws Exception {
        try (Batch batch = Codec.deserialize(Channels.newChannel(new ByteArrayInputStream(hex(VECTOR))), options)) {
            assertEquals(2, batch.size());
            assertArrayEquals(new byte[] {1, 2, 3}, batch.get(0).toByteArray());
            assertArrayEquals(new byte[] {4, 5}, batch.get(1).toByteArray());
            assertEquals(5, batch.totalBytes());
        }
        assertEquals(0, allocator.outstandingSegments());
    }

    @Test
    void randomBlobSetsRoundTripThroughEveryWriter(@TempDir Path dir) throws Exception {
        Random random = new Random(42);
        for (int round = 0; round < 300; round++) {
            List<byte[]> blobs = randomBlobs(random);
            byte[] expected = serialize(blobs);
            assertArrayEquals(expected, writeWith(round % 4, blobs), "writer " + round % 4);

            Path file = dir.resolve("r" + round);
            Files.write(file, expected);
            try (Batch fromChannel = Codec.deserialize(Channels.newChannel(new ByteArrayInputStream(expected)), options);
                 Batch fromFile = Codec.deserialize(file, options);
                 Batch mapped = Codec.map(file, options)) {
                for (Batch batch : List.of(fromChannel, fromFile, mapped)) {
                    assertEquals(blobs.size(), batch.size());
                    for (int i = 0; i < blobs.size(); i++) {
                        assertEquals(blobs.get(i).length, batch.length(i));
                        assertArrayEquals(blobs.get(i), batch.get(i).toByteArray());
                    }
                }
            }
        }
        assertEquals(0, allocator.outstandingSegments());
    }

    /** Serializes with writer {@code kind}: 0 byte[], 1 slices, 2 buffers, 3 segments. */
    private byte[] writeWith(int kind, List<byte[]> blobs) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        var channel = Channels.newChannel(out);
        long written = switch (kind) {
            case 0 -> Codec.serialize(blobs, channel);
            case 1 -> {
                List<Slice> slices = new ArrayList<>();
                blobs.forEach(b -> slices.add(Slice.copyOf(b, allocator)));
                long n = Codec.serializeSlices(slices, channel);
                slices.forEach(Slice::release);
                yield n;
            }
            case 2 -> {
                List<ByteBuffer> buffers = new ArrayList<>();
                for (byte[] b : blobs) {
                    ByteBuffer direct = ByteBuffer.allocateDirect(b.length + 2).put(new byte[] {9}).put(b);
                    buffers.add(direct.flip().position(1));
                }
                long n = Codec.serializeBuffers(buffers, channel);
                buffers.forEach(b -> assertEquals(1, b.position(), "positions are left alone"));
                yield n;
            }
            default -> {
                List<MemorySegment> segments = new ArrayList<>();
                blobs.forEach(b -> segments.add(MemorySegment.ofArray(b)));
                yield Codec.serializeSegments(segments, channel);
            }
        };
        assertEquals(out.size(), written, "writer " + kind + " says how many bytes it wrote");
        return out.toByteArray();
    }

    @Test
    void consecutiveRecordsAreReadOneAtATimeFromAStream() throws Exception {
        Random random = new Random(7);
        List<List<byte[]>> records = new ArrayList<>();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int i = 0; i < 20; i++) {
            List<byte[]> blobs = randomBlobs(random);
            records.add(blobs);
            stream.writeBytes(serialize(blobs));
        }
        ReadableByteChannel channel = Channels.newChannel(new ByteArrayInputStream(stream.toByteArray()));
        for (List<byte[]> blobs : records) {
            try (Batch batch = Codec.deserialize(channel, options)) {
                assertEquals(blobs.size(), batch.size());
                for (int i = 0; i < blobs.size(); i++) {
                    assertArrayEquals(blobs.get(i), batch.get(i).toByteArray());
                }
            }
        }
        assertEquals(0, allocator.outstandingSegments());
    }

    @Test
    void theFileChannelIsLeftRightAfterTheRecord(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("two.strg");
        Codec.write(file, List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}));
        Codec.write(file, List.of(new byte[] {6}));
        assertEquals(37 + 25, Files.size(file), "write appends");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Codec.deserialize(channel, options).close();
            assertEquals(37, channel.position());
            try (Batch second = Codec.deserialize(channel, options)) {
                assertArrayEquals(new byte[] {6}, second.get(0).toByteArray());
            }
        }
        List<Batch> all = Codec.readAll(file, options);
        assertEquals(2, all.size());
        assertEquals(2, all.get(0).size());
        assertEquals(1, all.get(1).size());
        all.forEach(Batch::close);
        assertEquals(0, allocator.outstandingSegments());
    }

    @Test
    void theEmptyRecordAndEmptyBlobsRoundTrip() throws Exception {
        assertArrayEquals(words(8, 0), serialize(List.of()));
        try (Batch empty = Codec.deserialize(Channels.newChannel(new ByteArrayInputStream(words(8, 0))), options)) {
            assertEquals(0, empty.size());
            assertEquals(0, empty.totalBytes());
            assertFalse(empty.iterator().hasNext());
        }
        byte[] blanks = serialize(List.of(new byte[0], new byte[0]));
        try (Batch b = Codec.deserialize(Channels.newChannel(new ByteArrayInputStream(blanks)), options)) {
            assertEquals(2, b.size());
            assertEquals(0, b.get(1).length());
        }
        assertEquals(0, allocator.outstandingSegments());
    }

    @Test
    void viewsOfOneRecordShareItsSegment() throws Exception {
        byte[] bytes = serialize(List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}));
        try (Batch b = Codec.deserialize(Channels.newChannel(new ByteArrayInputStream(bytes)), options)) {
            assertEquals(1, allocator.totalAllocations(), "one segment per record");
            MemorySegment first = b.get(0).asSegment();
            MemorySegment second = b.get(1).asSegment();
            assertEquals(first.address() + 3, second.address(), "blobs are adjacent views, not copies");
        }
    }
}
