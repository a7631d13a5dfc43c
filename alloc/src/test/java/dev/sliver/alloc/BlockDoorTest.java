package dev.sliver.alloc;

import dev.sliver.alloc.blocks.BlockSink;
import dev.sliver.alloc.blocks.Blocks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The block door ({@link Blocks}): blocks held as chunk + offset, freed once through the door,
 * and every misuse of the door rejected with no damage.
 */
class BlockDoorTest {
    private final ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().build();

    @AfterEach
    void close() {
        allocator.close();
    }

    /** What a sink was given. */
    static final class Held implements BlockSink {
        MemorySegment chunk;
        int offset;
        int blockSize;
        int calls;
        /** The owner tag the stress test wrote into the block. */
        long tag;

        @Override
        public void take(MemorySegment chunk, int offset, int blockSize) {
            this.chunk = chunk;
            this.offset = offset;
            this.blockSize = blockSize;
            calls++;
        }

        long address() {
            return chunk.address() + offset;
        }
    }

    static Held door(ThreadCachingAllocator allocator, int size) {
        Held held = new Held();
        assertTrue(Blocks.allocate(allocator, size, held));
        assertEquals(1, held.calls);
        return held;
    }

    @Test
    void aDoorBlockIsAWholeBlockOfAChunkAndGoesBackToTheCache() {
        Held a = door(allocator, 100);
        assertTrue(a.chunk.isNative());
        assertEquals(Chunk.BYTES, a.chunk.byteSize(), "the sink gets the whole chunk's segment");
        assertEquals(allocator.usableSize(100), a.blockSize);
        assertEquals(0, a.offset % 16);
        assertTrue(a.offset + (long) a.blockSize <= a.chunk.byteSize());
        a.chunk.asSlice(a.offset, a.blockSize).fill((byte) 7);
        Blocks.free(allocator, a.chunk, a.offset);
        Held b = door(allocator, 100);
        assertSame(a.chunk, b.chunk);
        assertEquals(a.offset, b.offset, "the freed block was cached and handed out again");
        Blocks.free(allocator, b.chunk, b.offset);
    }

    @Test
    void sizesAboveTheLargeThresholdAreNotServed() {
        Held held = new Held();
        assertFalse(Blocks.allocate(allocator, 256 * 1024 + 1, held));
        assertEquals(0, held.calls);
        assertTrue(Blocks.allocate(allocator, 256 * 1024, held));
        Blocks.free(allocator, held.chunk, held.offset);
        assertThrows(IllegalArgumentException.class, () -> Blocks.allocate(allocator, -1, new Held()));
        Held zero = door(allocator, 0);
        Blocks.free(allocator, zero.chunk, zero.offset);
    }

    @Test
    void aDoubleDoorFreeThrowsAndTheBlockIsNotHandedOutTwice() {
        Held a = door(allocator, 64);
        Blocks.free(allocator, a.chunk, a.offset);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Blocks.free(allocator, a.chunk, a.offset));
        assertTrue(e.getMessage().contains("double free"), e.getMessage());
        Held b = door(allocator, 64);
        Held c = door(allocator, 64);
        assertNotEquals(b.address(), c.address(), "the block is in the cache once");
        Blocks.free(allocator, b.chunk, b.offset);
        Blocks.free(allocator, c.chunk, c.offset);
    }

    @Test
    void anOffsetThatDoesNotStartABlockIsRejectedAndLeavesTheBlockHeld() {
        Held a = door(allocator, 64);
        for (int bad : new int[] {a.offset + 1, a.offset + 16, a.offset - 1, -1, -a.offset - 1, Integer.MIN_VALUE,
                Integer.MAX_VALUE, (int) Chunk.BYTES}) {
            assertThrows(RuntimeException.class, () -> Blocks.free(allocator, a.chunk, bad), "offset " + bad);
        }
        Blocks.free(allocator, a.chunk, a.offset); // still held through the door, exactly once
        assertThrows(IllegalStateException.class, () -> Blocks.free(allocator, a.chunk, a.offset));
    }

    @Test
    void aFreeBlockOfTheChunkIsNotFreedThroughTheDoor() {
        Held a = door(allocator, 64);
        Held b = door(allocator, 64);
        Blocks.free(allocator, b.chunk, b.offset);
        assertThrows(IllegalStateException.class, () -> Blocks.free(allocator, b.chunk, b.offset));
        Blocks.free(allocator, a.chunk, a.offset);
    }

    @Test
    void aForeignChunkIsRejected() {
        Held a = door(allocator, 64);
        try (ThreadCachingAllocator other = ThreadCachingAllocator.builder().build()) {
            Held theirs = door(other, 64);
            assertThrows(IllegalArgumentException.class, () -> Blocks.free(allocator, theirs.chunk, theirs.offset));
            assertThrows(IllegalArgumentException.class, () -> Blocks.free(other, a.chunk, a.offset));
            Blocks.free(other, theirs.chunk, theirs.offset);
        }
        MemorySegment copyOfTheChunk = a.chunk.asSlice(0);
        assertThrows(IllegalArgumentException.class, () -> Blocks.free(allocator, copyOfTheChunk, a.offset),
                "only the very chunk segment the sink got");
        MemorySegment heap = MemorySegment.ofArray(new byte[1 << 20]);
        assertThrows(IllegalArgumentException.class, () -> Blocks.free(allocator, heap, 0));
        MemorySegment someBlock = allocator.allocate(64);
        assertThrows(IllegalArgumentException.class, () -> Blocks.free(allocator, someBlock, 0),
                "a block's own segment is not its chunk");
        allocator.free(someBlock);
        Blocks.free(allocator, a.chunk, a.offset);
    }

    @Test
    void aBlockHeldAsASegmentIsNotFreedThroughTheDoor() {
        Held a = door(allocator, 64);
        MemorySegment segment = allocator.allocate(64);
        long offset = segment.address() - a.chunk.address();
        assertTrue(offset >= 0 && offset < Chunk.BYTES, "same class, same span");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Blocks.free(allocator, a.chunk, (int) offset));
        assertTrue(e.getMessage().contains("held as a segment"), e.getMessage());
        allocator.free(segment); // still the public holder's, once
        assertThrows(IllegalStateException.class, () -> allocator.free(segment));
        Blocks.free(allocator, a.chunk, a.offset);
    }

    @Test
    void aDoorBlockIsNotFreedThroughThePublicFree() {
        Held a = door(allocator, 64);
        MemorySegment forged = a.chunk.asSlice(a.offset, 64);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> allocator.free(forged));
        assertTrue(e.getMessage().contains("held by a Sliver ByteBuf"), e.getMessage());
        assertThrows(RuntimeException.class, () -> allocator.free(a.chunk.asSlice(a.offset, a.blockSize)));
        assertThrows(RuntimeException.class, () -> allocator.free(a.chunk));
        Blocks.free(allocator, a.chunk, a.offset);
        assertThrows(IllegalStateException.class, () -> allocator.free(forged), "and not after its door free either");
    }

    @Test
    void afterCloseTheDoorThrowsAndTheChunkIsUnreachable() {
        ThreadCachingAllocator closing = ThreadCachingAllocator.builder().build();
        Held a = door(closing, 64);
        closing.close();
        assertThrows(IllegalStateException.class, () -> Blocks.free(closing, a.chunk, a.offset));
        assertThrows(IllegalStateException.class, () -> Blocks.allocate(closing, 64, new Held()));
        assertThrows(IllegalStateException.class, () -> a.chunk.get(ValueLayout.JAVA_BYTE, a.offset), "unmapped: throws, never crashes");
    }

    @Test
    void theSlowPathsServeVirtualThreadsAndFirstCalls() throws Exception {
        AtomicReference<Held> fromVirtual = new AtomicReference<>();
        Thread.ofVirtual().start(() -> fromVirtual.set(door(allocator, 200))).join();
        Held v = fromVirtual.get();
        assertNotNull(v);
        MemorySegment forged = v.chunk.asSlice(v.offset, 200);
        assertThrows(IllegalStateException.class, () -> allocator.free(forged), "moved to the door: the public free rejects it");
        Blocks.free(allocator, v.chunk, v.offset); // a platform thread frees a virtual thread's block
        assertThrows(IllegalStateException.class, () -> Blocks.free(allocator, v.chunk, v.offset));

        Held p = door(allocator, 200);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            try {
                Blocks.free(allocator, p.chunk, p.offset);
                Blocks.free(allocator, p.chunk, p.offset);
                failure.set(new AssertionError("double door free on a virtual thread passed"));
            } catch (IllegalStateException expected) {
                // the second free
            } catch (Throwable t) {
                failure.set(t);
            }
        }).join();
        assertNull(failure.get());

        AtomicReference<Held> fresh = new AtomicReference<>();
        Thread platform = Thread.ofPlatform().start(() -> fresh.set(door(allocator, 300))); // its first call: no cache yet
        platform.join();
        Blocks.free(allocator, fresh.get().chunk, fresh.get().offset);
    }

    /**
     * Threads allocate through the door, tag every block with their id and a sequence number,
     * pass half of them to the next thread, and check each tag is intact before freeing: a block
     * with two owners at once (a door that handed out a block twice, or freed one twice) would
     * show another owner's tag. Virtual threads take the stripes' paths. Watchdog: the joins time out.
     */
    @Test
    void noBlockHasTwoOwnersUnderCrossThreadChurn() throws Exception {
        int threads = 4;
        int rounds = 20_000;
        List<java.util.concurrent.ArrayBlockingQueue<Held>> inboxes = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            inboxes.add(new java.util.concurrent.ArrayBlockingQueue<>(rounds));
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int me = t;
            Runnable work = () -> {
                try {
                    List<Held> mine = new ArrayList<>();
                    for (int i = 0; i < rounds && failure.get() == null; i++) {
                        Held h = door(allocator, 16 + (i % 7) * 40);
                        long tag = ((long) me << 32) | i;
                        h.tag = tag;
                        h.chunk.set(ValueLayout.JAVA_LONG_UNALIGNED, h.offset, tag);
                        if ((i & 1) == 0) {
                            inboxes.get((me + 1) % threads).put(h);
                        } else {
                            mine.add(h);
                        }
                        if (mine.size() > 64) {
                            release(mine.removeFirst());
                        }
                        Held passed = inboxes.get(me).poll();
                        if (passed != null) {
                            release(passed);
                        }
                    }
                    for (Held h : mine) {
                        release(h);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            };
            workers.add(me % 2 == 0 ? Thread.ofPlatform().start(work) : Thread.ofVirtual().start(work));
        }
        for (Thread w : workers) {
            w.join(120_000);
            assertFalse(w.isAlive(), "watchdog: a worker hangs");
        }
        for (var inbox : inboxes) {
            for (Held h; (h = inbox.poll()) != null; ) {
                release(h);
            }
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    private void release(Held h) {
        long tag = h.chunk.get(ValueLayout.JAVA_LONG_UNALIGNED, h.offset);
        if (tag != h.tag) {
            throw new AssertionError("block at offset " + h.offset + " tagged " + Long.toHexString(h.tag)
                    + " was written by another owner: " + Long.toHexString(tag));
        }
        h.chunk.set(ValueLayout.JAVA_LONG_UNALIGNED, h.offset, -1); // a second owner still holding it now fails its check
        Blocks.free(allocator, h.chunk, h.offset);
    }
}
