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
        long reportedBefore = LeakDetector.leaksReported();
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
            for (int i = 0; i < 200 && LeakDetector.leaksReported() == reportedBefore; i++) {
                Thread.sleep(10); // the count follows the listener, on the cleaner's thread
            }
            assertEquals(reportedBefore + 1, LeakDetector.leaksReported());
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

    /** Each level tracks what it says: nothing, about one owner in SAMPLE_INTERVAL, or every one. */
    @Test
    void theLevelDecidesHowManyOwnersAreTracked() {
        LeakDetector.Level before = LeakDetector.level();
        try {
            int calls = 10_000;
            LeakDetector.setLevel(LeakDetector.Level.OFF);
            assertEquals(0, tracked(calls));
            LeakDetector.setLevel(LeakDetector.Level.PARANOID);
            assertEquals(calls, tracked(calls));
            LeakDetector.setLevel(LeakDetector.Level.SAMPLE);
            int sampled = tracked(calls);
            // Expected 78 of 10,000; the bounds are more than seven standard deviations away.
            assertTrue(sampled > 10 && sampled < 200, "sampled " + sampled + " of " + calls);
        } finally {
            LeakDetector.setLevel(before);
        }
        assertThrows(NullPointerException.class, () -> LeakDetector.setLevel(null));
    }

    /** Tracks {@code calls} owners and releases them at once (so nothing is reported); returns how many were tracked. */
    private static int tracked(int calls) {
        int n = 0;
        for (int i = 0; i < calls; i++) {
            LeakDetector.Tracker tracker = LeakDetector.track(new Object(), 1);
            if (tracker != null) {
                tracker.released();
                n++;
            }
        }
        return n;
    }
}
