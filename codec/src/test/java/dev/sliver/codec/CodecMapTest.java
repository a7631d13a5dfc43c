package dev.sliver.codec;

import dev.sliver.core.AutoArenaAllocator;
import dev.sliver.core.Batch;
import dev.sliver.core.CountingAllocator;
import dev.sliver.core.Slice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.sliver.codec.Records.words;
import static org.junit.jupiter.api.Assertions.*;

class CodecMapTest {
    private final CountingAllocator allocator = new CountingAllocator(new AutoArenaAllocator());
    private final ReadOptions options = ReadOptions.defaults().withAllocator(allocator);

    @Test
    void mapsARecordLargerThan2GiBWithoutTouchingIt(@TempDir Path dir) throws Exception {
        long blob = 3L << 30;
        Path file = dir.resolve("big.strg");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(words(8 + 16 + blob, 2, 7, blob - 7));
            raf.setLength(32 + blob); // sparse
            raf.seek(32 + blob - 1);
            raf.write(0x5A);
        }
        MemorySegment tail;
        try (Batch batch = Codec.map(file, options)) {
            assertEquals(2, batch.size());
            assertEquals(blob - 7, batch.length(1));
            assertEquals(blob, batch.totalBytes());
            Slice big = batch.get(1);
            assertEquals(0x5A, big.get(big.length() - 1));
            assertThrows(IllegalStateException.class, big::asByteBuffer);
            tail = big.asSegment();
            assertEquals(1, allocator.outstandingSegments(), "only the offset table comes from the allocator");
        }
        assertEquals(0, allocator.outstandingSegments());
        assertThrows(IllegalStateException.class, () -> tail.get(ValueLayout.JAVA_BYTE, 0),
                "the mapping is closed: access throws, never crashes");
    }

    @Test
    void aRetainedViewKeepsTheMappingOpen(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("small.strg");
        Codec.write(file, java.util.List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}));
        Slice kept;
        try (Batch batch = Codec.map(file, options)) {
            kept = batch.get(1).retain();
        }
        MemorySegment keptMemory = kept.asSegment();
        assertArrayEquals(new byte[] {4, 5}, kept.toByteArray(), "readable after the batch closed");
        assertEquals(4, keptMemory.get(ValueLayout.JAVA_BYTE, 0));
        kept.release();
        assertEquals(0, allocator.outstandingSegments());
        assertThrows(IllegalStateException.class, kept::toByteArray);
        assertThrows(IllegalStateException.class, () -> keptMemory.get(ValueLayout.JAVA_BYTE, 0),
                "the last release unmapped the file");
    }

    @Test
    void theLastReleaseDuringAWriteToOfAViewDoesNotThrowAndUnmapsAfterTheWrite(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("one-mib.strg");
        byte[] blob = new byte[1 << 20];
        new java.util.Random(1).nextBytes(blob);
        Codec.write(file, java.util.List.of(blob));
        java.nio.channels.Pipe pipe = java.nio.channels.Pipe.open();
        Batch batch = Codec.map(file, options);
        Slice view = batch.get(0).retain();
        MemorySegment stale = view.asSegment();
        java.util.concurrent.atomic.AtomicReference<Throwable> writerFailure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                view.writeTo(pipe.sink()); // blocks once the pipe is full, with the mapping acquired
            } catch (Throwable e) {
                writerFailure.set(e);
            }
        });
        // Once bytes arrive, the writer is inside its one blocking write of 1 MiB into a 64 KiB pipe.
        pipe.source().configureBlocking(false);
        try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
            pipe.source().register(selector, java.nio.channels.SelectionKey.OP_READ);
            assertEquals(1, selector.select(10_000));
        }
        pipe.source().configureBlocking(true);
        view.release();
        batch.close(); // the last release: the mapping is busy, so its close must wait, not throw
        assertTrue(stale.scope().isAlive(), "the mapping stays open while the write runs");
        java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
        java.nio.ByteBuffer chunk = java.nio.ByteBuffer.allocate(1 << 16);
        while (received.size() < blob.length) {
            chunk.clear();
            pipe.source().read(chunk);
            received.write(chunk.array(), 0, chunk.position());
        }
        writer.join(10_000);
        assertNull(writerFailure.get(), () -> "the write failed: " + writerFailure.get());
        assertArrayEquals(blob, received.toByteArray(), "the whole blob arrived intact");
        long deadline = System.nanoTime() + 10_000_000_000L;
        // The close, then the offset table's free, run on the closer thread once the write is done.
        while ((stale.scope().isAlive() || allocator.outstandingSegments() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertFalse(stale.scope().isAlive(), "the mapping is closed once the write is done");
        assertThrows(IllegalStateException.class, () -> stale.get(ValueLayout.JAVA_BYTE, 0));
        assertEquals(0, allocator.outstandingSegments());
    }
}
