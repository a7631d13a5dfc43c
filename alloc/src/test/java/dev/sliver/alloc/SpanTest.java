package dev.sliver.alloc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A span's arithmetic and its one-segment-per-block rule, alone. A wrong block index from the
 * multiply that replaces division would free or hand out a neighbour's block: in the allocator
 * that shows only as a rare corruption under stress; here it is an exact comparison.
 */
class SpanTest {
    private final Chunk chunk = new Chunk(new Pool(new PageMap(), new AllocatorCounters(), "span-test"));

    @AfterEach
    void unmap() {
        chunk.unmap();
    }

    private Span newSpan(int cls) {
        int pages = SizeClasses.spanPages(cls);
        return new Span(chunk, chunk.takePages(pages), pages, cls);
    }

    private void release(Span span) {
        chunk.releasePages(span.firstPage, span.pages);
    }

    @Test
    void theBlockIndexIsExactForEveryClassAndEveryBlock() {
        for (int cls = 0; cls < SizeClasses.count(); cls++) {
            Span span = newSpan(cls);
            long size = span.blockSize;
            assertEquals((long) span.pages * SizeClasses.PAGE_SIZE / size, span.capacity, "class " + size);
            for (int i = 0; i < span.capacity; i++) {
                long start = span.base + i * size;
                assertEquals(i, span.indexOf(start), "block " + i + " of class " + size);
                for (long inside : new long[] {1, 8, 16, size / 2, size - 16, size - 1}) {
                    if (inside > 0 && inside < size) {
                        assertEquals(-1, span.indexOf(start + inside), "inside block " + i + " of class " + size);
                    }
                }
            }
            long end = span.base + ((long) span.pages << SizeClasses.PAGE_SHIFT);
            assertEquals(-1, span.indexOf(span.base + span.capacity * size), "the tail past the last block");
            assertEquals(-1, span.indexOf(span.base - size), "before the span");
            assertEquals(-1, span.indexOf(end), "after the span");
            release(span);
        }
    }

    @Test
    void blocksComeOutInAscendingOrderAndGoBackUntilTheSpanIsUnused() {
        Span span = newSpan(SizeClasses.classOf(1000));
        long[] blocks = new long[span.capacity + 1];
        assertEquals(span.capacity, span.take(blocks, 1, span.capacity + 5), "no more than it holds");
        for (int i = 0; i < span.capacity; i++) {
            assertEquals(span.base + (long) i * span.blockSize, blocks[1 + i]);
        }
        assertEquals(0, span.freeCount());
        assertEquals(0, span.take(blocks, 0, 1), "an empty span gives nothing");
        for (int i = span.capacity; i >= 1; i--) {
            assertFalse(span.isUnused());
            span.giveBack(blocks[i]);
        }
        assertTrue(span.isUnused());
        assertEquals(span.capacity, span.freeCount());
        release(span);
    }

    @Test
    void onlyTheVerySegmentHandedOutFreesItsBlockOnce() {
        for (int cls = 0; cls < SizeClasses.count(); cls++) {
            Span span = newSpan(cls);
            long[] blocks = new long[span.capacity];
            span.take(blocks, 0, span.capacity);
            long last = blocks[span.capacity - 1];
            long size = span.blockSize - 1;
            MemorySegment segment = span.handOut(last, size);
            assertEquals(last, segment.address());
            assertEquals(size, segment.byteSize());
            assertThrows(IllegalStateException.class, () -> span.free(segment.asSlice(0)), "a copy");
            if (size > 16) {
                IllegalArgumentException inner = assertThrows(IllegalArgumentException.class, () -> span.free(segment.asSlice(16)));
                assertTrue(inner.getMessage().contains("does not start a block"), inner.getMessage());
            }
            IllegalArgumentException shorter = assertThrows(IllegalArgumentException.class, () -> span.free(segment.asSlice(0, size - 1)));
            assertTrue(shorter.getMessage().contains("handed out as"), shorter.getMessage());
            span.free(segment);
            IllegalStateException twice = assertThrows(IllegalStateException.class, () -> span.free(segment));
            assertTrue(twice.getMessage().startsWith("double free"), twice.getMessage());
            MemorySegment again = span.handOut(last, size);
            IllegalStateException stale = assertThrows(IllegalStateException.class, () -> span.free(segment));
            assertTrue(stale.getMessage().startsWith("stale free"), stale.getMessage());
            span.free(again);
            for (long block : blocks) {
                span.giveBack(block);
            }
            release(span);
        }
    }

    @Test
    void aSegmentInTheTailPastTheLastBlockIsRefused() {
        int cls = SizeClasses.classOf(20_000); // 20,480-byte blocks: 3 to a 64 KiB page, 4,096 bytes of tail
        Span span = newSpan(cls);
        long tail = (long) span.capacity * span.blockSize;
        assertTrue(tail < (long) span.pages * SizeClasses.PAGE_SIZE, "this class has a tail");
        MemorySegment inTail = chunk.segment.asSlice(span.base - chunk.base + tail, 16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> span.free(inTail));
        assertTrue(e.getMessage().contains("does not start a block"), e.getMessage());
        release(span);
    }
}
