package dev.sliver.core;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class SliceTest {
    private final CountingAllocator allocator = new CountingAllocator(new AutoArenaAllocator());

    private Slice slice(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return Slice.copyOf(b, allocator);
    }

    @Test
    void readsBytesThroughEveryAccessor() throws Exception {
        try (Slice s = slice(1, 2, 3, 4, 5)) {
            assertEquals(5, s.length());
            assertEquals(3, s.get(2));
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, s.toByteArray());
            byte[] dst = new byte[3];
            s.copyTo(1, dst, 0, 3);
            assertArrayEquals(new byte[] {2, 3, 4}, dst);
            ByteBuffer bb = s.asByteBuffer();
            assertTrue(bb.isReadOnly());
            assertEquals(5, bb.remaining());
            assertTrue(s.asSegment().isReadOnly());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(5, s.writeTo(Channels.newChannel(out)));
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, out.toByteArray());
            assertEquals("Slice[length=5, 01 02 03 04 05]", s.toString());
        }
        assertEquals(0, allocator.outstandingSegments());
    }

    @Test
    void boundsAreCheckedWithValuesInTheMessage() {
        try (Slice s = slice(1, 2, 3)) {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> s.get(3));
            assertTrue(e.getMessage().contains("3"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> s.get(-1));
            e = assertThrows(IndexOutOfBoundsException.class, () -> s.slice(2, 5));
            assertTrue(e.getMessage().contains("5"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> s.slice(2, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> s.copyTo(2, new byte[4], 0, 2));
        }
    }

    @Test
    void memoryIsFreedOnceWhenTheLastSliceIsReleased() {
        AtomicInteger frees = new AtomicInteger();
        MemorySegment block = allocator.allocate(10);
        Slice whole = Slice.wrap(block, () -> {
            frees.incrementAndGet();
            allocator.free(block);
        });
        Slice left = whole.slice(0, 5);
        Slice right = whole.slice(5, 10).retain();
        whole.close();
        assertEquals(0, frees.get());
        assertThrows(IllegalStateException.class, () -> whole.get(0));
        left.close();
        right.release();
        assertEquals(0, frees.get(), "right was retained twice");
        assertEquals(5, right.get(0) + 5, "a view stays usable while it holds a reference");
        right.release();
        assertEquals(1, frees.get());
        assertEquals(0, allocator.outstandingSegments());
        assertThrows(IllegalStateException.class, right::release);
        assertEquals(1, frees.get());
    }

    @Test
    void useAfterReleaseAndDoubleReleaseThrow() {
        Slice s = slice(7, 8);
        s.release();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.get(0));
        assertTrue(e.getMessage().contains("released"), e.getMessage());
        assertThrows(IllegalStateException.class, s::toByteArray);
        assertThrows(IllegalStateException.class, s::asSegment);
        assertThrows(IllegalStateException.class, s::asByteBuffer);
        assertThrows(IllegalStateException.class, () -> s.slice(0, 1));
        assertThrows(IllegalStateException.class, s::retain);
        e = assertThrows(IllegalStateException.class, s::release);
        assertTrue(e.getMessage().contains("released more times"), e.getMessage());
        assertEquals("Slice[length=2, released]", s.toString());
        assertEquals(0, allocator.outstandingSegments());
    }

    @Test
    void equalityIsByContent() {
        try (Slice a = slice(1, 2, 3); Slice b = slice(0, 1, 2, 3); Slice c = b.slice(1, 4)) {
            assertEquals(a, c);
            assertEquals(a.hashCode(), c.hashCode());
            assertNotEquals(a, b);
            try (Slice d = slice(1, 2, 4)) {
                assertNotEquals(a, d);
            }
        }
    }

    @Test
    void concurrentReleasesFreeExactlyOnce() throws Exception {
        for (int round = 0; round < 200; round++) {
            AtomicInteger frees = new AtomicInteger();
            MemorySegment block = allocator.allocate(64);
            Slice root = Slice.wrap(block, () -> {
                frees.incrementAndGet();
                allocator.free(block);
            });
            int threads = 4;
            List<Slice> views = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Slice view = root.slice(i * 16, i * 16 + 16);
                for (int r = 0; r < 50; r++) {
                    view.retain();
                }
                views.add(view);
            }
            root.release();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (Slice view : views) {
                workers.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        throw new RuntimeException(e);
                    }
                    for (int r = 0; r < 51; r++) {
                        view.get(0);
                        view.release();
                    }
                }));
            }
            start.countDown();
            for (Thread t : workers) {
                t.join();
            }
            assertEquals(1, frees.get());
        }
        assertEquals(0, allocator.outstandingSegments());
    }

    @Test
    void slicesOver2GiBRefuseByteBufferButStillWriteAndSlice(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path sparse = dir.resolve("sparse");
        long size = 3L << 30;
        try (var raf = new java.io.RandomAccessFile(sparse.toFile(), "rw")) {
            raf.setLength(size); // sparse: no disk or memory is touched
        }
        var arena = java.lang.foreign.Arena.ofShared();
        MemorySegment mapped;
        try (var ch = java.nio.channels.FileChannel.open(sparse)) {
            mapped = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, size, arena);
        }
        try (Slice big = Slice.wrap(mapped, arena::close)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, big::asByteBuffer);
            assertTrue(e.getMessage().contains(Long.toString(size)), e.getMessage());
            try (Slice tail = big.slice(size - 4, size)) {
                assertEquals(4, tail.asByteBuffer().remaining());
                assertEquals(0, tail.get(3));
            }
        }
        assertThrows(IllegalStateException.class, () -> mapped.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0),
                "the mapping is closed with the last slice");
    }
}
