package dev.sliver.alloc;

import dev.sliver.core.testkit.Watchdog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CyclicBarrier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The page map alone: runs of pages, leaf edges, the 48-bit limit, and two pools creating the same
 * leaf at once. The map only stores and compares spans, so the addresses here need not be mapped.
 */
class PageMapTest {
    private static final long PAGE = SizeClasses.PAGE_SIZE;
    /** A leaf covers 2^16 pages of 64 KiB: 4 GiB. */
    private static final long LEAF = PAGE << 16;

    private final Chunk chunk = new Chunk(new Pool(new PageMap(), new AllocatorCounters(), "page-map-test"));
    private final Span span = new Span(chunk, chunk.takePages(1), 1, 0);
    private final Span other = new Span(chunk, chunk.takePages(1), 1, 0);

    @AfterEach
    void unmap() {
        chunk.unmap();
    }

    @Test
    void anAddressNobodySetHasNoSpan() {
        PageMap map = new PageMap();
        assertNull(map.get(0));
        assertNull(map.get(0x7f00_0000_0000L));
        assertNull(map.get(1L << 48), "past the 48-bit space");
        assertNull(map.get(-1L), "a negative address");
    }

    @Test
    void aRunIsFoundOnEveryByteOfEveryPageAndClearedWhole() {
        PageMap map = new PageMap();
        long base = 0x7f12_3400_0000L;
        map.set(base, 3, span);
        assertSame(span, map.get(base));
        assertSame(span, map.get(base + PAGE - 1));
        assertSame(span, map.get(base + 2 * PAGE));
        assertSame(span, map.get(base + 3 * PAGE - 1));
        assertNull(map.get(base - 1), "the page before the run");
        assertNull(map.get(base + 3 * PAGE), "the page after the run");
        map.set(base, 3, null);
        assertNull(map.get(base + PAGE));
    }

    @Test
    void aRunAcrossTwoLeavesIsFoundInBoth() {
        PageMap map = new PageMap();
        long edge = 5 * LEAF;
        map.set(edge - PAGE, 2, span);
        assertSame(span, map.get(edge - 1), "last page of one leaf");
        assertSame(span, map.get(edge), "first page of the next");
        assertNull(map.get(edge + PAGE));
    }

    @Test
    void addressesPastFortyEightBitsAreRefused() {
        PageMap map = new PageMap();
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> map.set((1L << 48) - PAGE, 2, span));
        assertTrue(e.getMessage().contains("48-bit"), e.getMessage());
        map.set((1L << 48) - PAGE, 1, span);
        assertSame(span, map.get((1L << 48) - 1), "the last page is still in range");
    }

    /**
     * Two writers need the same new leaf at once; each must land in the leaf that won the CAS.
     * A writer that stored into a leaf of its own instead would lose its entry to the other: with
     * a plain store of the new leaf in place of the CAS, about 100 of the 2,000 rounds lost one.
     */
    @Test
    void twoWritersCreatingOneLeafBothLand() throws Exception {
        long a = 7 * LEAF + 3 * PAGE;
        long b = 7 * LEAF + 9 * PAGE;
        PageMap[] map = new PageMap[1];
        int[] lost = new int[1];
        // Each round starts on a fresh map (the barrier's action, so both writers see it) and ends
        // by checking it; the barriers order the writes and the checks.
        CyclicBarrier start = new CyclicBarrier(2, () -> map[0] = new PageMap());
        CyclicBarrier end = new CyclicBarrier(2, () -> {
            if (map[0].get(a) != span || map[0].get(b) != other) {
                lost[0]++;
            }
        });
        int rounds = 2_000;
        Watchdog.run("page map leaf race", Duration.ofSeconds(60), () -> {
            Thread second = Thread.ofPlatform().start(() -> {
                for (int r = 0; r < rounds; r++) {
                    await(start);
                    map[0].set(b, 1, other);
                    await(end);
                }
            });
            for (int r = 0; r < rounds; r++) {
                await(start);
                map[0].set(a, 1, span);
                await(end);
            }
            second.join();
            return null;
        });
        assertEquals(0, lost[0], "rounds in which a writer's entry was lost");
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
