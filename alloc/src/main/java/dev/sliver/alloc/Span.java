package dev.sliver.alloc;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A run of pages in one chunk, cut into blocks of one size class.
 *
 * <p>Each block has a state byte: {@code FREE}, {@code ALLOCATED}, or {@code ALLOCATED_ALIGNED}
 * (an over-aligned request served from a larger class, whose size check is looser). Only the thread that takes a
 * block out of a cache marks it allocated (it owns it at that moment, so a plain store does);
 * {@link #free} flips it back with a CAS, so a double free, even a racing one, is caught before
 * the block reaches any free list. The free-index stack and {@link #free} count are guarded by the
 * pool lock.
 */
final class Span {
    static final byte FREE = 0;
    static final byte ALLOCATED = 1;
    static final byte ALLOCATED_ALIGNED = 2;
    private static final VarHandle STATE = MethodHandles.arrayElementVarHandle(byte[].class);
    /** Block index = (offset * MAGIC) >>> 42, exact for offsets below 2^22 and sizes below 2^20. */
    private static final int MAGIC_SHIFT = 42;

    final Chunk chunk;
    final int firstPage;
    final int pages;
    final int sizeClass;
    final int blockSize;
    /** The smallest request served by this class: a free of a smaller size is a slice of a block. */
    private final int minSize;
    final long base;
    final int capacity;
    private final long magic;
    private final byte[] state;
    /** Indices of blocks held by the span itself (not by a cache or a user). Pool lock. */
    private final int[] freeIndices;
    private int freeCount;
    /** Whether the span sits on its pool's list of spans with free blocks. Pool lock. */
    boolean listed;

    Span(Chunk chunk, int firstPage, int pages, int sizeClass) {
        this.chunk = chunk;
        this.firstPage = firstPage;
        this.pages = pages;
        this.sizeClass = sizeClass;
        this.blockSize = SizeClasses.size(sizeClass);
        this.minSize = sizeClass == 0 ? 0 : SizeClasses.size(sizeClass - 1) + 1;
        this.base = chunk.base + ((long) firstPage << SizeClasses.PAGE_SHIFT);
        this.capacity = (int) (((long) pages << SizeClasses.PAGE_SHIFT) / blockSize);
        this.magic = ((1L << MAGIC_SHIFT) + blockSize - 1) / blockSize;
        this.state = new byte[capacity];
        this.freeIndices = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            freeIndices[i] = capacity - 1 - i; // pops hand out ascending addresses
        }
        this.freeCount = capacity;
    }

    /** The block index of {@code address}, or -1 if it does not start a block of this span. */
    int indexOf(long address) {
        long offset = address - base;
        if (offset < 0 || offset >= (long) pages << SizeClasses.PAGE_SHIFT) {
            return -1;
        }
        int index = (int) ((offset * magic) >>> MAGIC_SHIFT);
        return index < capacity && (long) index * blockSize == offset ? index : -1;
    }

    /** Marks block {@code index}, taken from a cache, as handed to a user; returns its segment. */
    MemorySegment allocate(int index, long size, boolean aligned) {
        STATE.set(state, index, aligned ? ALLOCATED_ALIGNED : ALLOCATED);
        return chunk.segment.asSlice(base - chunk.base + (long) index * blockSize, size);
    }

    long address(int index) {
        return base + (long) index * blockSize;
    }

    /**
     * Checks that {@code segment} is exactly a block of this span handed to a user, marks it
     * free, and returns its index. The size is checked before the state flips, so a rejected free
     * leaves the block allocated.
     */
    int free(MemorySegment segment) {
        long address = segment.address();
        int index = indexOf(address);
        if (index < 0) {
            throw notABlock(address);
        }
        long size = segment.byteSize();
        if (size <= blockSize && size >= minSize && STATE.compareAndSet(state, index, ALLOCATED, FREE)) {
            return index;
        }
        return freeUnusual(index, address, size);
    }

    /** An over-aligned block, or a misuse to report. */
    private int freeUnusual(int index, long address, long size) {
        byte current = (byte) STATE.getVolatile(state, index);
        if (size > blockSize || (current == ALLOCATED && size < minSize)) {
            throw wrongSize(address, size);
        }
        if (current != ALLOCATED_ALIGNED || !STATE.compareAndSet(state, index, ALLOCATED_ALIGNED, FREE)) {
            throw doubleFree(address);
        }
        return index;
    }

    private IllegalArgumentException notABlock(long address) {
        return new IllegalArgumentException("free of a segment at 0x" + Long.toHexString(address)
                + " that does not start a block (a slice of a block?); blocks here are " + blockSize + " bytes");
    }

    private IllegalArgumentException wrongSize(long address, long size) {
        return new IllegalArgumentException("free of a segment of " + size + " bytes, but the block at 0x"
                + Long.toHexString(address) + " was allocated in the " + blockSize + "-byte class (a slice of a block?)");
    }

    private IllegalStateException doubleFree(long address) {
        return new IllegalStateException("double free: the block at 0x" + Long.toHexString(address)
                + " (" + blockSize + " bytes) is not allocated");
    }

    // ---------------------------------------------------------------- pool lock held

    /** Moves up to {@code max} of the span's blocks into {@code dst[at..]}; returns how many. */
    int take(long[] dst, int at, int max) {
        int n = Math.min(max, freeCount);
        for (int i = 0; i < n; i++) {
            dst[at + i] = base + (long) freeIndices[--freeCount] * blockSize;
        }
        return n;
    }

    /** Gives a block back to the span. */
    void give(long address) {
        freeIndices[freeCount++] = indexOf(address);
    }

    int freeCount() {
        return freeCount;
    }

    boolean isUnused() {
        return freeCount == capacity;
    }
}
