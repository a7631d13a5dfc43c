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
    void aReleasedViewRefusesEveryAccessEvenWhileItsMemoryLivesOn() throws Exception {
        try (Slice whole = slice(1, 2, 3, 4)) {
            Slice part = whole.slice(0, 4);
            part.release(); // whole still holds the memory: only the checks of part stand in the way
            String released = "use of a released slice: Slice[length=4]";
            assertEquals(released, assertThrows(IllegalStateException.class, () -> part.copyTo(0, new byte[4], 0, 4)).getMessage());
            assertThrows(IllegalStateException.class, () -> part.copyTo(0, MemorySegment.ofArray(new byte[4]), 0, 4));
            assertThrows(IllegalStateException.class, () -> part.writeTo(Channels.newChannel(new ByteArrayOutputStream())));
            assertEquals(released, assertThrows(IllegalStateException.class, () -> part.slice(0, 1)).getMessage(),
                    "a dead view cannot cut a live slice from memory others still hold");
            assertThrows(IllegalStateException.class, () -> part.borrow(0, 1));
            assertThrows(IllegalStateException.class, part::hashCode);
            assertThrows(IllegalStateException.class, () -> part.equals(whole));
            assertThrows(IllegalStateException.class, () -> whole.equals(part));
            assertEquals(1, whole.refCount(), "whole is untouched");
            assertArrayEquals(new byte[] {1, 2, 3, 4}, whole.toByteArray());
        }
        assertEquals(0, allocator.outstandingSegments());
    }

    @Test
    void copyToASegmentCopiesTheRangeAndChecksItsBounds() {
        try (Slice s = slice(1, 2, 3, 4, 5)) {
            MemorySegment dst = MemorySegment.ofArray(new byte[6]);
            s.copyTo(1, dst, 2, 3);
            assertArrayEquals(new byte[] {0, 0, 2, 3, 4, 0}, dst.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            assertThrows(IndexOutOfBoundsException.class, () -> s.copyTo(3, dst, 0, 3));
            assertThrows(IndexOutOfBoundsException.class, () -> s.copyTo(0, dst, 4, 3));
        }
    }

    @Test
    void releaseSaysWhetherItDroppedTheLastReference() {
        Slice s = slice(1, 2);
        s.retain().retain();
        assertEquals(3, s.refCount());
        assertFalse(s.release());
        assertFalse(s.release());
        assertTrue(s.release(), "the third release drops the last reference");
        assertEquals(0, s.refCount());
        assertFalse(s.isAlive());
        IllegalStateException e = assertThrows(IllegalStateException.class, s::release);
        assertEquals("slice released more times than retained: Slice[length=2]", e.getMessage());
        assertEquals(0, allocator.outstandingSegments());
    }

    @Test
    void equalsIsReflexiveAndFalseForOtherTypes() {
        try (Slice a = slice(1, 2, 3)) {
            assertTrue(a.equals(a));
            assertFalse(a.equals("Slice[length=3, 01 02 03]"));
            assertFalse(a.equals(null));
        }
    }

    @Test
    void theHashSpreadsSmallContents() {
        java.util.Set<Integer> hashes = new java.util.HashSet<>();
        for (int a = 0; a < 16; a++) {
            for (int b = 0; b < 16; b++) {
                try (Slice s = slice(a, b)) {
                    hashes.add(s.hashCode());
                }
            }
        }
        assertEquals(256, hashes.size(), "every two-byte content of 0..15 has its own hash");
        try (Slice empty = slice(); Slice zero = slice(0)) {
            assertNotEquals(empty.hashCode(), zero.hashCode(), "length counts, not only the bytes");
        }
    }

    /** The arena-owning wrap: the last release closes the arena, then runs the action; a foreign segment is refused. */
    @Test
    void anArenaWrapClosesItsArenaOnTheLastReleaseAndThenRunsTheAction() {
        java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared();
        MemorySegment memory = arena.allocate(8);
        memory.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 42);
        AtomicInteger afterClose = new AtomicInteger();
        boolean[] closedFirst = new boolean[1];
        Slice s = Slice.wrap(memory, arena, () -> {
            closedFirst[0] = !arena.scope().isAlive();
            afterClose.incrementAndGet();
        });
        Slice part = s.slice(0, 4);
        s.release();
        assertTrue(arena.scope().isAlive(), "a slice still holds the memory");
        assertEquals(0, afterClose.get());
        assertTrue(part.release());
        assertFalse(arena.scope().isAlive(), "the last release closed the arena");
        assertEquals(1, afterClose.get(), "and then ran the action, on the releasing thread");
        assertTrue(closedFirst[0], "the action ran after the close");
        assertThrows(IllegalStateException.class, () -> memory.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0));

        try (java.lang.foreign.Arena other = java.lang.foreign.Arena.ofShared()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Slice.wrap(other.allocate(8), java.lang.foreign.Arena.ofShared(), () -> { }));
            assertEquals("the segment does not belong to the given arena", e.getMessage());
        }
    }

    /** Someone else closed the arena: a bug, reported to the releasing thread rather than retried forever. */
    @Test
    void anArenaClosedBehindTheSlicesBackFailsTheRelease() {
        java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared();
        AtomicInteger afterClose = new AtomicInteger();
        Slice s = Slice.wrap(arena.allocate(8), arena, afterClose::incrementAndGet);
        arena.close();
        assertThrows(IllegalStateException.class, s::release);
        assertEquals(0, afterClose.get());
    }

    /**
     * A release while another thread writes the memory to a channel: the JDK holds the arena for
     * the length of the write, so the close is retried on the closer thread, and the action runs
     * only once the write is over. The writer blocks on a full pipe until the test drains it.
     */
    @Test
    void aReleaseDuringChannelIoClosesTheArenaOnceTheIoEnds() throws Exception {
        int size = 1 << 20;
        java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared();
        MemorySegment memory = arena.allocate(size);
        memory.fill((byte) 7);
        CountDownLatch ran = new CountDownLatch(1);
        AtomicReference<Boolean> arenaClosedWhenRan = new AtomicReference<>();
        Slice s = Slice.wrap(memory, arena, () -> {
            arenaClosedWhenRan.set(!arena.scope().isAlive());
            ran.countDown();
        });
        java.nio.channels.Pipe pipe = java.nio.channels.Pipe.open();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                s.writeTo(pipe.sink());
            } catch (Throwable e) {
                writerFailure.set(e);
            }
        });
        ByteBuffer first = ByteBuffer.allocate(1);
        assertEquals(1, pipe.source().read(first), "the writer is inside its write");
        // The pipe holds far less than 1 MiB: the writer stays blocked in the write, arena held.
        s.release();
        assertEquals(1, ran.getCount(), "the arena is busy: the action waits for the write");
        assertTrue(arena.scope().isAlive());
        long read = 1;
        ByteBuffer rest = ByteBuffer.allocate(64 * 1024);
        while (read < size) {
            rest.clear();
            int n = pipe.source().read(rest);
            for (int i = 0; i < n; i++) {
                assertEquals(7, rest.get(i));
            }
            read += n;
        }
        writer.join();
        assertNull(writerFailure.get(), () -> "the writer failed: " + writerFailure.get());
        assertTrue(ran.await(60, java.util.concurrent.TimeUnit.SECONDS), "the closer thread closed the arena once the write ended");
        assertTrue(arenaClosedWhenRan.get(), "and ran the action after the close");
        assertFalse(arena.scope().isAlive());
        pipe.sink().close();
        pipe.source().close();
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
        long[] written = {0};
        java.nio.channels.WritableByteChannel counting = new java.nio.channels.WritableByteChannel() {
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
        };
        try (Slice big = Slice.wrap(mapped, arena::close)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, big::asByteBuffer);
            long written1 = big.writeTo(counting);
            assertEquals(size, written1, "writeTo goes past the 2 GiB a ByteBuffer holds, in chunks");
            assertEquals(size, written[0]);
            assertTrue(e.getMessage().contains(Long.toString(size)), e.getMessage());
            IllegalStateException array = assertThrows(IllegalStateException.class, big::toByteArray);
            assertEquals("slice of " + size + " bytes does not fit in a byte[]", array.getMessage());
            try (Slice odd = big.slice(0, size - 5)) {
                written[0] = 0;
                assertEquals(size - 5, odd.writeTo(counting), "the last chunk is the remainder, not a whole GiB");
                assertEquals(size - 5, written[0]);
            }
            // A ByteBuffer, like a byte[], holds at most Integer.MAX_VALUE - 8 bytes.
            try (Slice largest = big.slice(1, 1L + Integer.MAX_VALUE - 8)) {
                assertEquals(Integer.MAX_VALUE - 8, largest.asByteBuffer().capacity());
            }
            try (Slice tooLarge = big.slice(1, 1L + Integer.MAX_VALUE - 7)) {
                IllegalStateException refused = assertThrows(IllegalStateException.class, tooLarge::asByteBuffer);
                assertEquals("slice of " + (Integer.MAX_VALUE - 7L) + " bytes exceeds the limit of a ByteBuffer ("
                        + (Integer.MAX_VALUE - 8) + " bytes); use asSegment() or writeTo()", refused.getMessage());
            }
            try (Slice tail = big.slice(size - 4, size)) {
                assertEquals(4, tail.asByteBuffer().remaining());
                assertEquals(0, tail.get(3));
            }
        }
        assertThrows(IllegalStateException.class, () -> mapped.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0),
                "the mapping is closed with the last slice");
    }
}
