package dev.sliver.alloc;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A run of pages in one chunk, cut into blocks of one size class.
 *
 * <p><b>Who may free a block.</b> For each block the span remembers the very {@link MemorySegment}
 * object it handed out, and {@link #free} CASes that slot from the caller's segment to null. Only
 * the segment returned by {@code allocate} can therefore free its block, and only once: a second
 * free of it finds null, or (after the block was handed out again) another segment object, and
 * fails before the block reaches any free list. A slice or a {@code reinterpret} of the segment is
 * another object and fails the same way. One load and one CAS, on the common path, replace the
 * earlier state byte plus size checks; the address and size checks run only to name the misuse.
 *
 * <p><b>Ordering.</b> The slots (and door bytes) are written plainly by {@link #handOut}
 * ({@link #handOutThroughDoor}) and CASed by {@link #free} ({@link #freeThroughDoor}); why that
 * suffices is argued beside the fast paths, {@link ThreadCachingAllocator#allocate(long, long)}
 * (point 3) and {@link ThreadCachingAllocator#free}. The free-index stack and its count are
 * guarded by the pool lock.
 */
final class Span {
    private static final VarHandle HANDED_OUT = MethodHandles.arrayElementVarHandle(MemorySegment[].class);
    private static final VarHandle DOOR = MethodHandles.arrayElementVarHandle(byte[].class);
    /** Block index = (offset * MAGIC) >>> 42, exact for offsets below 2^22 and sizes below 2^20. */
    private static final int MAGIC_SHIFT = 42;

    final Chunk chunk;
    final int firstPage;
    final int pages;
    final int sizeClass;
    final int blockSize;
    final long base;
    final int capacity;
    private final long magic;
    /** The chunk's segment and this span's offset in it: what {@link #handOut} slices. */
    private final MemorySegment chunkSegment;
    private final long spanOffset;
    /** Per block: the segment handed to the user, or null while the block is free or held through the door. */
    private final MemorySegment[] handedOut;
    /**
     * Per block: 1 while it is held through the block door ({@link BlockDoor}) instead of as a
     * segment, else 0. A byte, not a marker in {@link #handedOut}: a reference store into that
     * old array pays G1's write barrier, a fifth of a Netty buffer's allocate + release
     * (BENCHMARKS.md, issue 20 round 4); a byte store pays none. Its slot stays null, so the public
     * free, which CASes the slot from the caller's segment, always rejects a door-held block; the
     * door's free CASes the byte from 1 to 0, so a second door free throws instead of freeing twice.
     */
    private final byte[] doorHeld;
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
        this.base = chunk.base + ((long) firstPage << SizeClasses.PAGE_SHIFT);
        this.capacity = (int) (((long) pages << SizeClasses.PAGE_SHIFT) / blockSize);
        this.magic = ((1L << MAGIC_SHIFT) + blockSize - 1) / blockSize;
        this.chunkSegment = chunk.segment;
        this.spanOffset = base - chunk.base;
        this.handedOut = new MemorySegment[capacity];
        this.doorHeld = new byte[capacity];
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

    /**
     * Hands the block at {@code address}, taken from a cache by the caller, to a user as a segment
     * of {@code size} bytes. The address came from this span's own lists, so its index needs no check.
     */
    MemorySegment handOut(long address, long size) {
        long offset = address - base;
        MemorySegment segment = chunkSegment.asSlice(offset + spanOffset, size);
        handedOut[(int) ((offset * magic) >>> MAGIC_SHIFT)] = segment;
        return segment;
    }

    /**
     * Takes back the block of {@code segment}, which must be the very segment {@link #handOut}
     * returned and not yet freed. Anything else throws and leaves the block as it was.
     *
     * <p>One multiply and one CAS: the slot only ever holds the segment handed out for the start
     * of its block, so a CAS that finds the caller's very object also proves the address starts
     * that block; the exact check ({@link #indexOf}) runs only to name a rejected free. The caller
     * found this span through the page map, so the offset is below 2^22, where the multiply is exact.
     */
    void free(MemorySegment segment) {
        long offset = segment.address() - base;
        int index = (int) ((offset * magic) >>> MAGIC_SHIFT);
        if (offset < 0 || index >= capacity || !HANDED_OUT.compareAndSet(handedOut, index, segment, null)) {
            throw misuse(indexOf(segment.address()), segment);
        }
    }

    // ---------------------------------------------------------------- blocks held through the door

    /**
     * Hands the block at {@code address}, taken from a cache by the caller, to a holder through
     * the block door ({@link BlockDoor}): no segment is made; its door byte goes to 1. Ordered as
     * {@link #handOut} is (a plain write of a block only this thread holds).
     */
    void handOutThroughDoor(long address) {
        doorHeld[(int) (((address - base) * magic) >>> MAGIC_SHIFT)] = 1;
    }

    /**
     * Moves a block just handed out as {@code segment} (by the public path, to the caller, which
     * drops the segment) to the door: its slot goes from the segment to null, its door byte to 1.
     */
    void moveToDoor(MemorySegment segment) {
        int index = indexOf(segment.address());
        if (index < 0 || !HANDED_OUT.compareAndSet(handedOut, index, segment, null)) {
            throw new IllegalStateException("the block at 0x" + Long.toHexString(segment.address()) + " was not just handed out");
        }
        doorHeld[index] = 1;
    }

    /**
     * Takes back the block at {@code address}, held through the door: it must start a block of
     * this span whose door byte is 1 (CASed to 0). A double door free finds 0; so does a block
     * held through the public path, whose slot holds its segment; both throw and leave the block
     * as it was.
     */
    void freeThroughDoor(long address) {
        int index = indexOf(address);
        if (index < 0) {
            throw new IllegalArgumentException("door free at 0x" + Long.toHexString(address)
                    + " that does not start a block; blocks here are " + blockSize + " bytes");
        }
        if (!DOOR.compareAndSet(doorHeld, index, (byte) 1, (byte) 0)) {
            MemorySegment current = (MemorySegment) HANDED_OUT.getVolatile(handedOut, index);
            throw new IllegalStateException(current == null
                    ? "double free: the block at 0x" + Long.toHexString(address) + " (" + blockSize + " bytes) is not allocated"
                    : "door free of the block at 0x" + Long.toHexString(address) + ", which is held as a segment from allocate");
        }
    }

    /** The chunk offset of the block at {@code address}: what a door holder gets instead of a segment. */
    int offsetInChunk(long address) {
        return (int) (address - chunk.base);
    }

    /** Names what is wrong with a rejected free. */
    private RuntimeException misuse(int index, MemorySegment segment) {
        String at = "0x" + Long.toHexString(segment.address());
        if (index < 0) {
            return new IllegalArgumentException("free of a segment at " + at + " (" + segment.byteSize()
                    + " bytes) that does not start a block (a slice of a block?); blocks here are " + blockSize + " bytes");
        }
        MemorySegment current = (MemorySegment) HANDED_OUT.getVolatile(handedOut, index);
        if (current == null && (byte) DOOR.getVolatile(doorHeld, index) == 1) {
            return new IllegalStateException("free of a segment at " + at + " whose block is held by a Sliver ByteBuf "
                    + "(freed by its reference count, not by free)");
        }
        if (current == null) {
            return new IllegalStateException("double free: the block at " + at + " (" + blockSize + " bytes) is not allocated");
        }
        if (current.byteSize() != segment.byteSize()) {
            return new IllegalArgumentException("free of a segment of " + segment.byteSize() + " bytes, but the block at "
                    + at + " was handed out as " + current.byteSize() + " bytes (a slice of a block?)");
        }
        return new IllegalStateException("stale free: the segment at " + at + " is not the one this block was last "
                + "handed out as (freed before and allocated again, or a copy made with asSlice/reinterpret); "
                + "only the segment returned by allocate can free it, once");
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
    void giveBack(long address) {
        freeIndices[freeCount++] = indexOf(address);
    }

    int freeCount() {
        return freeCount;
    }

    boolean isUnused() {
        return freeCount == capacity;
    }
}
