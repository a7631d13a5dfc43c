package dev.sliver.core;

import java.lang.foreign.MemorySegment;

/**
 * The service provider interface through which Sliver takes and returns off-heap memory.
 *
 * <p>An allocator hands out <em>owned</em> segments: the caller that received a segment from
 * {@link #allocate} must give it back exactly once, through {@link #free} on the same allocator,
 * with the very segment it received (same address and size). Implementations must reject a
 * segment they did not hand out, a second free of the same block, or a sub-slice of a block,
 * with an {@link IllegalArgumentException} or {@link IllegalStateException}, never by corrupting
 * their own state or crashing the JVM.
 *
 * <p>Memory is not necessarily zeroed, like {@code malloc}. Implementations must be safe to call
 * from any thread, and {@code free} may be called from a different thread than {@code allocate}.
 *
 * <p>A freed block may be reused, but its memory must never become unmapped while a segment to it
 * can still be used: give memory back to the OS only by closing the {@link java.lang.foreign.Arena}
 * its segments belong to, so that a stale segment throws instead of crashing the JVM. Sliver's
 * views rely on this to keep every misuse safe.
 */
public interface MemoryAllocator {

    /**
     * Allocates a segment of exactly {@code byteSize} bytes whose address is a multiple of
     * {@code alignment}.
     *
     * @param byteSize  the size in bytes, {@code >= 0}
     * @param alignment a power of two
     * @return a writable segment owned by the caller until {@link #free}
     * @throws IllegalArgumentException if the size is negative or the alignment is not a power of two
     * @throws OutOfMemoryError         if the memory cannot be obtained
     */
    MemorySegment allocate(long byteSize, long alignment);

    /**
     * Allocates {@code byteSize} bytes aligned to 8, see {@link #allocate(long, long)}.
     *
     * @param byteSize the size in bytes, {@code >= 0}
     * @return a writable segment owned by the caller until {@link #free}
     */
    default MemorySegment allocate(long byteSize) {
        return allocate(byteSize, Long.BYTES);
    }

    /**
     * Returns a segment obtained from {@link #allocate} on this allocator.
     *
     * @param segment the very segment {@link #allocate} returned, not a slice of it
     * @throws IllegalArgumentException if the segment was not allocated here or is a slice of a block
     * @throws IllegalStateException    if the block was already freed
     */
    void free(MemorySegment segment);
}
