package dev.sliver.netty;

import dev.sliver.alloc.ThreadCachingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The direct buffer's own contract: its reference count, its memory after release, and growth inside its block. */
class SliverDirectByteBufTest {
    private final ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().name("direct-bytebuf-test").build();
    private final SliverByteBufAllocator alloc = new SliverByteBufAllocator(allocator);

    @AfterEach
    void everyBlockCameBack() {
        assertEquals(0, allocator.stats().bytesInUse());
        allocator.close();
    }

    /** The buffer itself, under any leak-detection wrapper. */
    private static SliverDirectByteBuf inner(ByteBuf buf) {
        return (SliverDirectByteBuf) (buf instanceof SliverDirectByteBuf ? buf : buf.unwrap());
    }

    @Test
    void aStaleBufferThrowsAndNeverReachesTheBlocksNextOwner() {
        ByteBuf first = alloc.directBuffer(64);
        SliverDirectByteBuf stale = inner(first);
        long block = stale.block().address();
        first.setLong(0, 0x1111_1111_1111_1111L);
        assertTrue(first.release());

        ByteBuf second = alloc.directBuffer(64);
        assertEquals(block, inner(second).block().address(), "the freed block went to the next buffer (else this test proves nothing)");
        assertNotSame(stale, inner(second), "buffer objects are never recycled");
        second.setLong(0, 0x2222_2222_2222_2222L);

        for (ByteBuf old : List.of(first, stale)) {
            assertThrows(IllegalReferenceCountException.class, () -> old.getLong(0));
            assertThrows(IllegalReferenceCountException.class, () -> old.setLong(0, -1));
            assertThrows(IllegalReferenceCountException.class, () -> old.writeLong(-1));
            assertThrows(IllegalReferenceCountException.class, () -> old.nioBuffer(0, 8));
            assertThrows(IllegalReferenceCountException.class, old::release);
            assertThrows(IllegalReferenceCountException.class, old::retain);
        }
        // Below Netty's checks (what io.netty.buffer.checkAccessible=false would leave): the
        // buffer's own bounds check still refuses, since the released buffer's capacity is 0.
        assertThrows(IndexOutOfBoundsException.class, () -> stale._getLong(0));
        assertThrows(IndexOutOfBoundsException.class, () -> stale._setLong(0, -1));

        assertEquals(0x2222_2222_2222_2222L, second.getLong(0), "the new owner's bytes are untouched");
        assertTrue(second.release());
    }

    @Test
    void overReleaseThrowsAndChangesNothing() {
        ByteBuf buf = alloc.directBuffer(16);
        assertThrows(IllegalReferenceCountException.class, () -> buf.release(2));
        assertEquals(1, buf.refCnt());
        assertThrows(IllegalArgumentException.class, () -> buf.retain(0));
        buf.retain(2);
        assertFalse(buf.release(2));
        assertTrue(buf.release());
        assertEquals(0, buf.refCnt());
    }

    @Test
    void racingReleasesDeallocateExactlyOnce() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (int round = 0; round < 300; round++) {
                ByteBuf buf = alloc.directBuffer(128);
                buf.retain(2 * threads - 1);
                CyclicBarrier start = new CyclicBarrier(2 * threads);
                List<Future<Boolean>> released = new ArrayList<>();
                for (int t = 0; t < 2 * threads; t++) {
                    released.add((t % 2 == 0 ? pool : virtual).submit(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        return buf.release();
                    }));
                }
                int deallocations = 0;
                for (Future<Boolean> f : released) {
                    deallocations += awaitOrDumpThreads(f) ? 1 : 0;
                }
                assertEquals(1, deallocations, "round " + round);
                assertEquals(0, buf.refCnt());
            }
        } finally {
            pool.shutdownNow();
            virtual.shutdownNow();
        }
    }

    /** The watchdog: a release that does not finish in 60 s fails the test with every thread's stack, instead of hanging the build. */
    private static boolean awaitOrDumpThreads(Future<Boolean> f) throws Exception {
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            StringBuilder dump = new StringBuilder("a release did not finish in 60 s; threads:\n");
            Thread.getAllStackTraces().forEach((t, stack) -> {
                dump.append(t).append('\n');
                for (StackTraceElement frame : stack) {
                    dump.append("    at ").append(frame).append('\n');
                }
            });
            throw new AssertionError(dump.toString(), e);
        }
    }

    @Test
    void growingInsideTheBlockNeedsNoNewBlockAndNoCopy() {
        ByteBuf buf = alloc.directBuffer(100, 1 << 20);
        SliverDirectByteBuf direct = inner(buf);
        MemorySegment block = direct.block();
        assertEquals(allocator.usableSize(100), block.byteSize(), "the buffer holds its whole block");
        assertEquals(100, buf.capacity());
        for (int i = 0; i < block.byteSize(); i++) {
            buf.writeByte(i);
        }
        assertEquals(block.address(), direct.block().address(), "writes up to the block's size stay in the block");
        assertEquals(block.byteSize(), buf.capacity());

        buf.writeByte(-1); // one past the block: a bigger block, the bytes copied over
        assertNotEquals(block.address(), direct.block().address());
        assertEquals(block.byteSize() + 1, buf.writerIndex());
        for (int i = 0; i < block.byteSize(); i++) {
            assertEquals((byte) i, buf.getByte(i));
        }
        assertEquals(-1, buf.getByte((int) block.byteSize()));

        buf.capacity(10); // shrinking keeps the block, trims the indices
        assertEquals(10, buf.capacity());
        assertEquals(10, buf.writerIndex());
        assertThrows(IndexOutOfBoundsException.class, () -> buf.getByte(10));
        assertTrue(buf.release());
    }

    @Test
    void capacityNeverPassesTheMaximum() {
        ByteBuf buf = alloc.directBuffer(20, 24);
        buf.writeZero(24);
        assertThrows(IndexOutOfBoundsException.class, () -> buf.writeByte(1));
        assertEquals(24, buf.capacity());
        assertTrue(buf.release());
    }

    @Test
    void aBufferWhoseAllocatorClosedThrowsInsteadOfReadingUnmappedMemory() {
        ThreadCachingAllocator closing = ThreadCachingAllocator.builder().name("closing").build();
        SliverByteBufAllocator closingAlloc = new SliverByteBufAllocator(closing);
        ByteBuf buf = closingAlloc.directBuffer(64);
        SliverDirectByteBuf raw = inner(buf);
        buf.setLong(0, 42);
        closing.close(); // unmaps the chunk under the live buffer
        assertThrows(IllegalStateException.class, () -> buf.getLong(0));
        assertThrows(IllegalStateException.class, () -> raw._setLong(0, 1));
        assertThrows(IllegalStateException.class, () -> buf.nioBuffer(0, 8).get());
        assertThrows(IllegalStateException.class, buf::release, "the door refuses a free on a closed allocator");
        assertThrows(IndexOutOfBoundsException.class, () -> raw._getByte(0), "released all the same: nothing is reachable");
    }
}
