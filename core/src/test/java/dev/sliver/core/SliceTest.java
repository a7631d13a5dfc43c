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
import java.util.concurrent.atomic.AtomicReference;

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

    /**
     * Eight threads hammer one owner count: each cuts and releases slices of the same root (one
     * owner retain and release each), and all retain and release the same borrowed view (its
     * 0 -> 1 CAS and undo). A racy owner count frees too early (caught while the threads run) or
     * never (caught at the end). Worker failures are collected and rethrown.
     */
    @Test
    void concurrentReleasesFreeExactlyOnce() throws Exception {
        int threads = 8;
        for (int round = 0; round < 100; round++) {
            AtomicInteger frees = new AtomicInteger();
            MemorySegment block = allocator.allocate(64);
            Slice root = Slice.wrap(block, () -> {
                frees.incrementAndGet();
                allocator.free(block);
            });
            Batch batch = Batch.of(root.slice(0, 64), MemorySegment.ofArray(new long[] {64}));
            Slice borrowed = batch.get(0);
            CountDownLatch start = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        for (int r = 0; r < 300; r++) {
                            Slice cut = root.slice(8, 16);
                            cut.get(0);
                            borrowed.retain();
                            cut.release();
                            borrowed.get(0);
                            borrowed.release();
                            if (frees.get() != 0) {
                                throw new AssertionError("freed while slices were alive");
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            start.countDown();
            for (Thread t : workers) {
                t.join();
            }
            if (failure.get() != null) {
                throw new AssertionError("round " + round, failure.get());
            }
            assertEquals(0, frees.get(), "the root and the batch still hold the memory");
            batch.close();
            assertEquals(0, frees.get());
            root.release();
            assertEquals(1, frees.get(), "freed exactly once, by the last release");
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
            long[] written = {0};
            long written1 = big.writeTo(new java.nio.channels.WritableByteChannel() {
                public int write(java.nio.ByteBuffer src) {
                    int n = Math.min(src.remaining(), 1 << 20);
                    src.position(src.position() + n); // bytes of a sparse file: zeros, not worth reading
                    written[0] += n;
                    return n;
                }

                public boolean isOpen() {
                    return true;
                }

                public void close() {
                }
            });
            assertEquals(size, written1, "writeTo goes past the 2 GiB a ByteBuffer holds, in chunks");
            assertEquals(size, written[0]);
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
