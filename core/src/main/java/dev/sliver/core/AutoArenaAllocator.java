package dev.sliver.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A simple, always-safe allocator: every block comes from {@link Arena#ofAuto()}, so its memory is
 * reclaimed by the garbage collector only once no segment can reach it. A stale segment therefore
 * never touches unmapped memory. {@link #free} checks ownership and double frees against a table
 * of live blocks and then drops the allocator's reference.
 *
 * <p>It zeroes memory (that is what {@code Arena} does) and its memory goes back only after a GC,
 * so it is slower and hungrier than {@code dev.sliver.alloc.ThreadCachingAllocator}; it exists for
 * tests and for code that wants the simplest possible lifetime model. Thread-safe.
 */
public final class AutoArenaAllocator implements MemoryAllocator {
    /** Live blocks: address to size. */
    private final ConcurrentHashMap<Long, Long> live = new ConcurrentHashMap<>();

    /** A new allocator with no live blocks. */
    public AutoArenaAllocator() {
    }

    @Override
    public MemorySegment allocate(long byteSize, long alignment) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("negative size: " + byteSize);
        }
        if (alignment <= 0 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment is not a power of two: " + alignment);
        }
        // At least one byte so that two zero-length blocks never share an address.
        MemorySegment block = Arena.ofAuto().allocate(Math.max(1, byteSize), alignment).asSlice(0, byteSize);
        live.put(block.address(), byteSize);
        return block;
    }

    @Override
    public void free(MemorySegment segment) {
        Long size = live.get(segment.address());
        if (size == null) {
            throw new IllegalStateException("free of a segment that is not live in this allocator "
                    + "(double free, or not allocated here): address 0x" + Long.toHexString(segment.address()));
        }
        if (size != segment.byteSize()) {
            throw new IllegalArgumentException("free of a segment of " + segment.byteSize()
                    + " bytes, but the block at this address has " + size + " bytes");
        }
        if (!live.remove(segment.address(), size)) {
            throw new IllegalStateException("concurrent double free at address 0x" + Long.toHexString(segment.address()));
        }
    }

    /** {@return the number of blocks allocated and not yet freed} */
    public long liveBlocks() {
        return live.size();
    }

    @Override
    public String toString() {
        return "AutoArenaAllocator[live=" + live.size() + "]";
    }
}
