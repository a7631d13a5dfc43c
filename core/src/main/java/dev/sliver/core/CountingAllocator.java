package dev.sliver.core;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.LongAdder;

/**
 * A decorator that counts the segments and bytes outstanding on another allocator, so that tests
 * and applications can assert that every segment taken was given back.
 *
 * <p>Thread-safe: counts are {@link LongAdder}s, exact once concurrent calls have returned.
 */
public final class CountingAllocator implements MemoryAllocator {
    private final MemoryAllocator delegate;
    private final LongAdder segments = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder allocations = new LongAdder();

    /**
     * Counts allocations made through {@code delegate}.
     *
     * @param delegate the allocator that does the work
     */
    public CountingAllocator(MemoryAllocator delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public MemorySegment allocate(long byteSize, long alignment) {
        MemorySegment segment = delegate.allocate(byteSize, alignment);
        segments.increment();
        bytes.add(byteSize);
        allocations.increment();
        return segment;
    }

    @Override
    public void free(MemorySegment segment) {
        delegate.free(segment); // throws before we count a bad free
        segments.decrement();
        bytes.add(-segment.byteSize());
    }

    /** {@return the number of segments allocated and not yet freed} */
    public long outstandingSegments() {
        return segments.sum();
    }

    /** {@return the bytes allocated and not yet freed} */
    public long outstandingBytes() {
        return bytes.sum();
    }

    /** {@return the number of segments allocated since creation, freed or not} */
    public long totalAllocations() {
        return allocations.sum();
    }

    @Override
    public String toString() {
        return "CountingAllocator[" + delegate + ", outstanding=" + outstandingSegments()
                + " segments / " + outstandingBytes() + " bytes]";
    }
}
