package dev.sliver.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class LeakDetectorTest {
    @Test
    void reportsAnUnreleasedSliceAndNotAReleasedOne() throws Exception {
        AutoArenaAllocator allocator = new AutoArenaAllocator();
        LeakDetector.Level before = LeakDetector.level();
        LeakDetector.setLevel(LeakDetector.Level.PARANOID);
        try {
            long start = LeakDetector.leaksReported();
            Slice.copyOf(new byte[] {1}, allocator).release(); // released: never reported
            leak(allocator);
            for (int i = 0; i < 200 && LeakDetector.leaksReported() == start; i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertEquals(start + 1, LeakDetector.leaksReported());
        } finally {
            LeakDetector.setLevel(before);
        }
    }

    private static void leak(MemoryAllocator allocator) {
        Slice.copyOf(new byte[] {1, 2, 3}, allocator); // dropped without release
    }

    @Test
    void parsesTheSystemPropertyValues() {
        assertEquals(LeakDetector.Level.SAMPLE, LeakDetector.parse("Sample"));
        assertEquals(LeakDetector.Level.PARANOID, LeakDetector.parse(" paranoid "));
        assertEquals(LeakDetector.Level.OFF, LeakDetector.parse("nonsense"));
    }
}
