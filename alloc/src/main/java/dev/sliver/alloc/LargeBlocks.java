package dev.sliver.alloc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
 * <p>Thread-safe: the live table is concurrent, the idle list is guarded by this object.
 */
final class LargeBlocks {
    private static final long ROUNDING = SizeClasses.PAGE_SIZE;

    private final ConcurrentHashMap<Long, Block> live = new ConcurrentHashMap<>();
    private final ArrayDeque<Block> idle = new ArrayDeque<>();
    private final AllocatorCounters counters;
    private final long maxIdleBytes;
    private long idleBytes;

    private static final class Block {
        final Arena arena;
        final MemorySegment memory;
        long requested;
        long idleSince;

        Block(long capacity, long alignment) {
            arena = Arena.ofShared();
            memory = alignment <= OsMemory.ALIGNMENT ? OsMemory.map(capacity, arena) : arena.allocate(capacity, alignment);
        }
    }

    LargeBlocks(AllocatorCounters counters, long maxIdleBytes) {
        this.counters = counters;
        this.maxIdleBytes = maxIdleBytes;
    }

    MemorySegment allocate(long size, long alignment) {
        Block block = reuse(size, alignment);
        if (block == null) {
            long capacity = (Math.max(size, 1) + ROUNDING - 1) / ROUNDING * ROUNDING;
            block = new Block(capacity, alignment);
            counters.mapped(capacity);
        }
        block.requested = size;
        live.put(block.memory.address(), block);
        return block.memory.asSlice(0, size);
    }

    private synchronized Block reuse(long size, long alignment) {
        for (Iterator<Block> it = idle.iterator(); it.hasNext(); ) {
            Block block = it.next();
            long capacity = block.memory.byteSize();
            if (capacity >= size && capacity - size <= size / 4 && block.memory.address() % alignment == 0) {
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
        if (segment.byteSize() != block.requested) {
            throw new IllegalArgumentException("free of a segment of " + segment.byteSize()
                    + " bytes, but the block at 0x" + Long.toHexString(segment.address()) + " has "
                    + block.requested + " (a slice of a block?)");
        }
        if (!live.remove(segment.address(), block)) {
            throw new IllegalStateException("double free: the block at 0x" + Long.toHexString(segment.address())
                    + " was freed concurrently");
        }
        synchronized (this) {
            block.idleSince = System.nanoTime();
            idle.addFirst(block);
            idleBytes += block.memory.byteSize();
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
        idleBytes -= block.memory.byteSize();
        counters.unmapped(block.memory.byteSize());
        block.arena.close();
    }

    synchronized void unmapAll() {
        while (!idle.isEmpty()) {
            unmap(idle.pollLast());
        }
        for (Block block : live.values()) {
            counters.unmapped(block.memory.byteSize());
            block.arena.close();
        }
        live.clear();
    }

    long liveBytes() {
        long bytes = 0;
        for (Block block : live.values()) {
            bytes += block.requested;
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
