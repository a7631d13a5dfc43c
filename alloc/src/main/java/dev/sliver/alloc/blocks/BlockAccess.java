package dev.sliver.alloc.blocks;

import dev.sliver.alloc.ThreadCachingAllocator;

import java.lang.foreign.MemorySegment;

/**
 * What {@link Blocks} calls into {@code dev.sliver.alloc}'s package-private code through: one
 * implementation, installed by {@link ThreadCachingAllocator}'s static initializer (the JDK's
 * {@code SharedSecrets} pattern). Not for implementing elsewhere: {@link Blocks#install} takes
 * only the first.
 */
public interface BlockAccess {
    /**
     * See {@link Blocks#allocate}.
     *
     * @param allocator where the block comes from
     * @param size      the bytes asked for
     * @param sink      receives the block
     * @return false, having done nothing, if {@code size} is above the large threshold
     */
    boolean allocate(ThreadCachingAllocator allocator, int size, BlockSink sink);

    /**
     * See {@link Blocks#free}.
     *
     * @param allocator the allocator the block came from
     * @param chunk     the chunk segment the sink was given
     * @param offset    the offset the sink was given
     */
    void free(ThreadCachingAllocator allocator, MemorySegment chunk, int offset);
}
