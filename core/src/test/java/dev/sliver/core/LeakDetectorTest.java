package dev.sliver.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class LeakDetectorTest {
    @Test
    void reportsAnUnreleasedSliceAndNotAReleasedOne() throws Exception {
        AutoArenaAllocator allocator = new AutoArenaAllocator();
        LeakDetector.Level before = LeakDetector.level();
        LeakDetector.setLevel(LeakDetector.Level.PARANOID);
        java.util.List<String> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
        LeakDetector.reportListener = reports::add;
        try {
            Slice.copyOf(new byte[] {1}, allocator).release(); // released: never reported
            leak(allocator);
            for (int i = 0; i < 200 && reports.isEmpty(); i++) {
                System.gc();
                Thread.sleep(10);
            }
            for (int i = 0; i < 5; i++) { // give a wrong second report the chance to show up
                System.gc();
                Thread.sleep(10);
            }
            assertEquals(1, reports.size(), "exactly one leak: " + reports);
            String report = reports.getFirst();
            assertTrue(report.startsWith("LEAK: 3 bytes held by a Sliver Slice or Batch"), report);
            assertTrue(report.contains("LeakDetectorTest.leak("), "the report points at where the leaked slice was made: " + report);
        } finally {
            LeakDetector.reportListener = null;
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
