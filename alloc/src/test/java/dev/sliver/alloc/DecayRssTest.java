package dev.sliver.alloc;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** After a 1 GiB burst of 4 KiB blocks is freed, resident memory falls back within the decay period. */
class DecayRssTest {
    private static final Path STATUS = Path.of("/proc/self/status");

    @Test
    void residentMemoryFallsBackAfterABurst() throws Exception {
        assumeTrue(Files.isReadable(STATUS), "needs Linux /proc to read resident memory");
        Duration decay = Duration.ofHours(1); // the test drives the decay clock itself
        try (ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().decay(decay).build()) {
            long before = rss();
            int count = (1 << 30) / 4096;
            MemorySegment[] blocks = new MemorySegment[count];
            for (int i = 0; i < count; i++) {
                blocks[i] = allocator.allocate(4096);
                blocks[i].set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, i); // touch
            }
            long peak = rss();
            for (MemorySegment block : blocks) {
                allocator.free(block);
            }
            allocator.decayAt(System.nanoTime()); // notes the central stacks' moves
            allocator.decayAt(System.nanoTime() + decay.toNanos()); // drains them, unmaps the idle chunks
            long after = rss();
            String figures = "RSS before " + mib(before) + ", peak " + mib(peak) + ", after " + mib(after)
                    + " (one decay tick driven past the period)";
            System.out.println("DecayRssTest: " + figures);
            assertTrue(peak - before > 900L << 20, "the burst was resident: " + figures);
            assertTrue(after - before <= (peak - before) / 10, figures);
        }
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }

    private static long rss() throws java.io.IOException {
        for (String line : Files.readAllLines(STATUS)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in " + STATUS);
    }
}
