package dev.sliver.alloc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Large blocks alone: which idle block a request may reuse, which one the idle cap evicts, the
 * one-segment-per-block rule, and allocations and frees that race close.
 */
class LargeBlocksTest {
    private static final long HOUR = 3_600_000_000_000L;
    private static final long MIB = 1 << 20;

    private final AllocatorCounters counters = new AllocatorCounters();
    private final LargeBlocks large = new LargeBlocks(counters, 8 * MIB, "large-test");

    @AfterEach
    void unmap() {
        large.unmapAll();
        assertEquals(0, counters.mappedBytes(), "everything mapped was unmapped, once");
    }

    @Test
    void anIdleBlockServesOnlyARequestItFitsWithinAQuarter() {
        MemorySegment first = large.allocate(3 * MIB, 8);
        long address = first.address();
        assertTrue(large.free(first));
        MemorySegment tooLarge = large.allocate(4 * MIB, 8);
        assertNotEquals(address, tooLarge.address(), "3 MiB cannot hold 4");
        MemorySegment tooSmall = large.allocate(MIB, 8);
        assertNotEquals(address, tooSmall.address(), "3 MiB for 1 wastes more than a quarter");
        MemorySegment fits = large.allocate(3 * MIB - 1000, 8);
        assertEquals(address, fits.address(), "within a quarter: reused");
        for (MemorySegment s : new MemorySegment[] {tooLarge, tooSmall, fits}) {
            assertTrue(large.free(s));
        }
    }

    @Test
    void anIdleBlockIsNotReusedForAnAlignmentItLacks() {
        // Mappings are 64 KiB aligned, most no more than that: take one aligned to at most 1 MiB,
        // so that the alignment it lacks is a reasonable request.
        java.util.List<MemorySegment> held = new java.util.ArrayList<>();
        MemorySegment first;
        do {
            first = large.allocate(MIB, 8);
            held.add(first);
        } while (Long.lowestOneBit(first.address()) > MIB);
        held.remove(first);
        long address = first.address();
        large.free(first);
        long alignment = Long.lowestOneBit(address) << 1;
        MemorySegment aligned = large.allocate(MIB, alignment);
        assertEquals(0, aligned.address() % alignment);
        assertNotEquals(address, aligned.address(), "the idle block lacks the alignment");
        large.free(aligned);
        held.forEach(large::free);
    }

    @Test
    void theIdleCapEvictsTheOldestAndDecayTheRest() {
        MemorySegment a = large.allocate(4 * MIB, 8);
        MemorySegment b = large.allocate(4 * MIB, 8);
        MemorySegment c = large.allocate(4 * MIB, 8);
        large.free(a);
        large.free(b);
        large.free(c); // 12 MiB idle over an 8 MiB cap: a, the oldest, is unmapped
        assertEquals(8 * MIB, large.idleBytes());
        assertEquals(8 * MIB, counters.mappedBytes());
        MemorySegment again = large.allocate(4 * MIB, 8);
        assertEquals(c.address(), again.address(), "the most recently freed is reused first");
        large.free(again);
        long now = System.nanoTime();
        large.releaseIdle(now, HOUR);
        assertEquals(8 * MIB, large.idleBytes(), "kept for the decay period");
        large.releaseIdle(now + HOUR, HOUR);
        assertEquals(0, large.idleBytes());
        assertEquals(0, counters.mappedBytes());
    }

    @Test
    void onlyTheVerySegmentFreesItsBlockOnce() {
        MemorySegment block = large.allocate(MIB, 8);
        block.set(ValueLayout.JAVA_LONG, 0, 42);
        IllegalArgumentException shorter = assertThrows(IllegalArgumentException.class, () -> large.free(block.asSlice(0, 1000)));
        assertTrue(shorter.getMessage().contains("handed out as"), shorter.getMessage());
        IllegalStateException copy = assertThrows(IllegalStateException.class, () -> large.free(block.asSlice(0)));
        assertTrue(copy.getMessage().startsWith("stale free"), copy.getMessage());
        assertFalse(large.free(block.asSlice(4096)), "an inner slice is no large block");
        assertEquals(1, large.liveCount());
        assertEquals(MIB, large.liveBytes());
        assertTrue(large.free(block));
        assertFalse(large.free(block), "a freed block is forgotten: the caller's 'did not hand out, or already freed'");
        assertEquals(0, large.liveCount());
    }

    @Test
    void anAllocationAfterCloseUnmapsWhatItMappedAndFails() {
        large.unmapAll();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> large.allocate(MIB, 8));
        assertEquals("allocator large-test is closed", e.getMessage());
        assertEquals(0, counters.mappedBytes());
    }

    @Test
    void closeUnmapsLiveBlocksAndForgetsThem() {
        MemorySegment block = large.allocate(MIB, 8);
        large.unmapAll();
        assertThrows(IllegalStateException.class, () -> block.get(ValueLayout.JAVA_BYTE, 0), "unmapped by close");
        assertFalse(large.free(block), "a closed allocator's block is no longer live");
        assertEquals(0, large.liveCount());
        assertEquals(0, counters.mappedBytes(), "unmapped once");
    }

    @Test
    void anIdleBlockServesItsOwnSizeAndOneAQuarterSmallerButNoLess() {
        MemorySegment five = large.allocate(5 * MIB, 8);
        long address = five.address();
        large.free(five);
        MemorySegment quarter = large.allocate(4 * MIB, 8); // 5 MiB wastes 1 MiB: a quarter of 4, allowed
        assertEquals(address, quarter.address());
        large.free(quarter);
        MemorySegment same = large.allocate(5 * MIB, 8);
        assertEquals(address, same.address(), "exactly its size");
        large.free(same);
        MemorySegment less = large.allocate(4 * MIB - 1, 8);
        assertNotEquals(address, less.address(), "a byte less and the waste is over a quarter");
        large.free(less);
    }

    @Test
    void mappingsAreWholePagesAndAnEmptyRequestTakesOne() {
        MemorySegment empty = large.allocate(0, 8);
        assertEquals(0, empty.byteSize());
        assertEquals(SizeClasses.PAGE_SIZE, counters.mappedBytes());
        MemorySegment odd = large.allocate(MIB + 1, 8);
        assertEquals(MIB + 1, odd.byteSize());
        assertEquals(SizeClasses.PAGE_SIZE + MIB + SizeClasses.PAGE_SIZE, counters.mappedBytes());
        assertEquals(MIB + 1, large.liveBytes());
        assertEquals(2, large.liveCount());
        large.free(empty);
        assertEquals(MIB + 1, large.liveBytes());
        assertEquals(SizeClasses.PAGE_SIZE, large.idleBytes(), "the whole mapping is idle");
        large.free(odd);
    }

    @Test
    void moreThanAnyAddressSpaceFailsBeforeMapping() {
        long tooMuch = (1L << 47) + 1;
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> large.allocate(tooMuch, 8));
        assertEquals("cannot allocate 140737488355329 bytes: more than the 140737488355328-byte address space any OS maps", e.getMessage());
        assertEquals(0, counters.mappedBytes());
    }
}
