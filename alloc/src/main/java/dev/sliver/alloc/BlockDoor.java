package dev.sliver.alloc;

import dev.sliver.alloc.blocks.BlockAccess;
import dev.sliver.alloc.blocks.BlockSink;

import java.lang.foreign.MemorySegment;

/**
 * The allocator's side of the block door ({@link dev.sliver.alloc.blocks.Blocks}, whose javadoc
 * gives the contract): blocks held as chunk + offset, marked by their door byte in their span
 * ({@link Span#handOutThroughDoor}).
 *
 * <p>The fast paths are the allocator's, with the block's door byte written as {@link Span#handOut}
 * writes its slot and CASed as {@link Span#free} CASes the slot, so the ordering argument beside
 * {@link ThreadCachingAllocator#allocate(long, long)} holds as it is; only the field differs,
 * and with it one claim: a slot's segment is handed out once, while every door byte holds the same
 * 1, so the door tells a held block from a free one but not its holder from a stale one (the
 * holder's reference count's job, as {@link dev.sliver.alloc.blocks.Blocks} says). Everything
 * else (virtual threads, first calls, a closed allocator) takes the public slow path and then
 * moves the block to the door.
 */
final class BlockDoor implements BlockAccess {
    @Override
    public boolean allocate(ThreadCachingAllocator allocator, int size, BlockSink sink) {
        if (size < 0) {
            throw new IllegalArgumentException("negative size: " + size);
        }
        if (!allocator.isCacheable(size, 1)) {
            return false;
        }
        PageMap pageMap = allocator.layers.pageMap;
        ThreadCache cache = allocator.fastCache(Thread.currentThread());
        Span span;
        long address;
        if (cache != null) {
            address = cache.allocateAddress(SizeClasses.classOf(size));
            span = pageMap.get(address);
            span.handOutThroughDoor(address);
        } else {
            MemorySegment block = allocator.allocate(size, 1); // throws if closed
            address = block.address();
            span = pageMap.get(address);
            span.moveToDoor(block);
        }
        sink.take(span.chunk.segment, span.offsetInChunk(address), span.blockSize);
        return true;
    }

    @Override
    public void free(ThreadCachingAllocator allocator, MemorySegment chunk, int offset) {
        Layers layers = allocator.layers;
        if (allocator.closed) {
            throw ThreadCachingAllocator.closedError(allocator.name());
        }
        long address = chunk.address() + offset;
        Span span = chunk.isNative() ? layers.pageMap.get(address) : null;
        if (span == null || span.chunk.segment != chunk) {
            throw new IllegalArgumentException("door free at offset " + offset + " of " + chunk
                    + ", which is not a chunk of " + allocator + " holding that offset");
        }
        span.freeThroughDoor(address); // throws on a non-block offset, a double free, a block held as a segment
        Thread thread = Thread.currentThread();
        ThreadCache cache = allocator.fastCache(thread);
        if (cache != null) {
            cache.keepFreed(span.sizeClass, address);
        } else if (thread.isVirtual()) {
            layers.stripes.free(thread, span.sizeClass, address);
        } else {
            layers.caches.current().keepFreed(span.sizeClass, address);
        }
    }
}
