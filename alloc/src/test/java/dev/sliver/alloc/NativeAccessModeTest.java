package dev.sliver.alloc;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Proves which memory source each surefire run exercises: the default run (native access
 * enabled) maps chunks with mmap, the {@code native-access-denied} run falls back to
 * {@code Arena.allocate}; the allocator works the same in both.
 */
class NativeAccessModeTest {
    @Test
    void theRunUsesTheMemorySourceItClaims() {
        boolean expected = Boolean.parseBoolean(System.getProperty("sliver.expectNativeAccess", "true"))
                && System.getProperty("os.name", "").toLowerCase(Locale.ROOT).matches(".*(linux|mac).*");
        assertEquals(expected, OsMemory.mapsDirectly(),
                "native access " + (expected ? "enabled: chunks must be mmapped" : "denied: chunks must come from Arena.allocate"));
        try (ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().build()) {
            MemorySegment small = allocator.allocate(100);
            MemorySegment large = allocator.allocate(1 << 20);
            small.fill((byte) 1);
            large.fill((byte) 2);
            allocator.free(small);
            allocator.free(large);
            assertEquals(0, allocator.stats().bytesInUse());
        }
    }
}
