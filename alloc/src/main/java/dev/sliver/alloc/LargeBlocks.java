package dev.sliver.alloc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Allocations above the size-class threshold: each has its own mapping (a shared {@link Arena}).
 *
 * <p>A freed large block is not unmapped at once: it waits, already touched, for the decay period,
 * and an allocation that fits it (no more than 25% larger than asked) reuses it. Reading a 1 GiB
 * file into fresh memory costs about four times what it costs into touched memory, the page
 * faults being most of it. Idle blocks past the decay period, or beyond the idle-byte cap, are
 * unmapped by closing their arena; a stale segment then throws instead of touching freed memory.
 *
 * <p>As for small blocks, only the very segment handed out frees its block, once: the block
 * remembers it and {@link #free} CASes it to null. A stale segment whose address was mapped
 * again for a new block is therefore rejected, not taken for the new one.
 *
 * <p>Thread-safe: the live table is concurrent, the idle list and the closed flag are guarded by
 * this object.
 */
final class LargeBlocks {
    private static final long ROUNDING = SizeClasses.PAGE_SIZE;
    /** No OS maps more than a 47-bit user address space; larger requests fail before any rounding overflows. */
    private static final long MAX_BYTES = 1L << 47;
    private static final VarHandle HANDED_OUT;

    static {
        try {
            HANDED_OUT = MethodHandles.lookup().findVarHandle(Block.class, "handedOut", MemorySegment.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConcurrentHashMap<Long, Block> live = new ConcurrentHashMap<>();
    private final ArrayDeque<Block> idle = new ArrayDeque<>();
    private final AllocatorCounters counters;
    private final long maxIdleBytes;
    /** For the error of an allocation that races the allocator's close. */
    private final String allocatorName;
    private long idleBytes;
    private boolean closed;

    private static final class Block {
        final Arena arena;
        /** The whole mapping, {@code capacity} bytes; handed out as a slice of the requested size. */
        final MemorySegment mapping;
        long idleSince;
        /** The segment handed to the user while live, else null; CASed to null by free. */
        volatile MemorySegment handedOut;

        Block(long capacity, long alignment) {
            arena = Arena.ofShared();
            mapping = alignment <= OsMemory.ALIGNMENT ? OsMemory.map(capacity, arena) : arena.allocate(capacity, alignment);
        }
    }

    LargeBlocks(AllocatorCounters counters, long maxIdleBytes, String allocatorName) {
        this.counters = counters;
        this.allocatorName = allocatorName;
        this.maxIdleBytes = maxIdleBytes;
    }

    MemorySegment allocate(long size, long alignment) {
        if (size > MAX_BYTES) {
            throw new OutOfMemoryError("cannot allocate " + size + " bytes: more than the " + MAX_BYTES
                    + "-byte address space any OS maps");
        }
        Block block = reuse(size, alignment);
        if (block == null) {
            long capacity = (Math.max(size, 1) + ROUNDING - 1) / ROUNDING * ROUNDING;
            block = new Block(capacity, alignment);
            counters.mapped(capacity);
        }
        MemorySegment segment = block.mapping.asSlice(0, size);
        block.handedOut = segment;
        synchronized (this) {
            if (closed) { // close() ran while we mapped: nobody else would ever unmap this block
                counters.unmapped(block.mapping.byteSize());
                block.arena.close();
                throw ThreadCachingAllocator.closedError(allocatorName);
            }
            live.put(block.mapping.address(), block);
        }
        return segment;
    }

    private synchronized Block reuse(long size, long alignment) {
        for (Iterator<Block> it = idle.iterator(); it.hasNext(); ) {
            Block block = it.next();
            long capacity = block.mapping.byteSize();
            if (capacity >= size && capacity - size <= size / 4 && block.mapping.address() % alignment == 0) {
                it.remove();
                idleBytes -= capacity;
                return block;
            }
        }
        return null;
    }

    /** Returns true if {@code segment} was a large block of this allocator (and frees it). */
    boolean free(MemorySegment segment) {
        Block block = live.get(segment.address());
        if (block == null) {
            return false;
        }
        if (!HANDED_OUT.compareAndSet(block, segment, null)) {
            MemorySegment current = block.handedOut;
            String at = "0x" + Long.toHexString(segment.address());
            if (current != null && current.byteSize() != segment.byteSize()) {
                throw new IllegalArgumentException("free of a segment of " + segment.byteSize() + " bytes, but the block at "
                        + at + " was handed out as " + current.byteSize() + " bytes (a slice of a block?)");
            }
            throw new IllegalStateException(current == null
                    ? "double free: the large block at " + at + " is not allocated"
                    : "stale free: the segment at " + at + " is not the one this block was last handed out as "
                    + "(freed before and the address reused, or a copy made with asSlice/reinterpret)");
        }
        synchronized (this) { // one at a time with unmapAll, so that exactly one of us closes the arena
            live.remove(segment.address(), block);
            if (closed) {
                return true; // unmapAll already closed it
            }
            block.idleSince = System.nanoTime();
            idle.addFirst(block);
            idleBytes += block.mapping.byteSize();
            while (idleBytes > maxIdleBytes) {
                unmap(idle.pollLast());
            }
        }
        return true;
    }

    /** Unmaps idle blocks older than {@code decayNanos}. */
    synchronized void releaseIdle(long now, long decayNanos) {
        while (!idle.isEmpty() && now - idle.peekLast().idleSince >= decayNanos) {
            unmap(idle.pollLast());
        }
    }

    private void unmap(Block block) {
        idleBytes -= block.mapping.byteSize();
        counters.unmapped(block.mapping.byteSize());
        block.arena.close();
    }

    synchronized void unmapAll() {
        closed = true;
        while (!idle.isEmpty()) {
            unmap(idle.pollLast());
        }
        for (Block block : live.values()) {
            counters.unmapped(block.mapping.byteSize());
            block.arena.close();
        }
        live.clear();
    }

    long liveBytes() {
        long bytes = 0;
        for (Block block : live.values()) {
            MemorySegment segment = block.handedOut;
            bytes += segment == null ? 0 : segment.byteSize();
        }
        return bytes;
    }

    long liveCount() {
        return live.size();
    }

    synchronized long idleBytes() {
        return idleBytes;
    }
}
