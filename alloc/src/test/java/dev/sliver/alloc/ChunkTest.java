package dev.sliver.alloc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.*;

/** A chunk's page bitmap alone: first-fit runs, the whole chunk as one run, and when it counts as empty. */
class ChunkTest {
    private final Chunk chunk = new Chunk(new Pool(new PageMap(), new AllocatorCounters(), "chunk-test"));

    @AfterEach
    void unmap() {
        chunk.unmap();
    }

    @Test
    void runsArePlacedFirstFitAndFreedPagesAreReused() {
        assertEquals(Chunk.PAGES * SizeClasses.PAGE_SIZE, chunk.segment.byteSize());
        assertEquals(0, chunk.base % SizeClasses.PAGE_SIZE, "page aligned");
        assertTrue(chunk.isEmpty());
        assertEquals(0, chunk.takePages(3));
        assertEquals(3, chunk.takePages(2));
        assertEquals(5, chunk.takePages(1));
        assertFalse(chunk.isEmpty());
        chunk.releasePages(0, 3);
        assertEquals(0, chunk.takePages(2), "the first free run that fits");
        assertEquals(6, chunk.takePages(2), "page 2 alone is too short");
        assertEquals(2, chunk.takePages(1));
        assertEquals(8, chunk.takePages(Chunk.PAGES - 8), "up to the last page");
        assertEquals(-1, chunk.takePages(1), "full");
    }

    @Test
    void theWholeChunkIsOneRunOfSixtyFourPages() {
        assertEquals(0, chunk.takePages(Chunk.PAGES));
        assertEquals(-1, chunk.takePages(1));
        chunk.releasePages(0, Chunk.PAGES);
        assertTrue(chunk.isEmpty());
        assertEquals(0, chunk.takePages(Chunk.PAGES - 1));
        assertEquals(-1, chunk.takePages(2), "one page left");
        assertEquals(Chunk.PAGES - 1, chunk.takePages(1));
    }

    @Test
    void itBecomesEmptyOnlyWhenItsLastRunGoesAndNotesWhen() throws Exception {
        long before = chunk.emptySince;
        chunk.takePages(1);
        chunk.takePages(1);
        chunk.releasePages(0, 1);
        assertFalse(chunk.isEmpty());
        assertEquals(before, chunk.emptySince, "not empty yet: the time is not moved");
        long start = System.nanoTime();
        chunk.releasePages(1, 1);
        assertTrue(chunk.isEmpty());
        assertTrue(chunk.emptySince >= start, "the time it became empty");
    }

    @Test
    void theMemoryIsUsableUntilUnmapped() {
        Chunk own = new Chunk(chunk.pool);
        own.segment.set(ValueLayout.JAVA_LONG, Chunk.BYTES - 8, 42);
        assertEquals(42, own.segment.get(ValueLayout.JAVA_LONG, Chunk.BYTES - 8));
        own.unmap();
        assertThrows(IllegalStateException.class, () -> own.segment.get(ValueLayout.JAVA_LONG, 0));
    }
}
