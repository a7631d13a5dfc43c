package dev.sliver.alloc.blocks;

import dev.sliver.alloc.ThreadCachingAllocator;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;

/**
 * The block door: blocks of a {@link ThreadCachingAllocator} held as a chunk and an offset
 * instead of a {@link MemorySegment} of their own, for holders that already guarantee a block is
 * freed exactly once (Sliver's Netty buffers, whose reference count does) and want to save the
 * 40 bytes of a segment per block. Exported only to {@code dev.sliver.netty}.
 *
 * <p><b>What the door gives up, and what it keeps.</b> The public {@code free(MemorySegment)}
 * accepts only the very segment {@code allocate} returned, once. A door holder has no such
 * segment: it reads and writes through the chunk's segment at its offset, with bounds checks of
 * its own, so a bug in those could touch a neighbouring block of the same chunk, never unmapped
 * memory (the chunk's segment throws once its chunk is unmapped). The door's free still checks
 * that the offset starts a block of that very chunk of this allocator, and that the block is
 * held through the door and not yet freed (a byte per block in its span, CASed back), so a double
 * free through the door throws; but of two door holders, one holding a stale offset, it cannot
 * tell which is the owner: that is the holder's reference count's job. A block held through the
 * door is rejected by the public {@code free}; no raw address leaves {@code dev.sliver.alloc}.
 *
 * <p>Thread-safe, as the allocator is: a block may be freed on any thread.
 */
public final class Blocks {
    /**
     * Set once, by {@link ThreadCachingAllocator}'s static initializer, which this class's own
     * initializer runs first; so no other code can install first. No initializer of its own: this
     * class may be initialized from within that install, which must not be overwritten.
     */
    private static volatile BlockAccess access;

    static {
        try {
            MethodHandles.lookup().ensureInitialized(ThreadCachingAllocator.class);
        } catch (IllegalAccessException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Blocks() {
    }

    /**
     * Installs the allocator's side of the door; only {@link ThreadCachingAllocator} does, once.
     *
     * @param door the implementation
     * @throws IllegalStateException if one is installed already
     */
    public static synchronized void install(BlockAccess door) {
        if (access != null) {
            throw new IllegalStateException("the block door is installed already");
        }
        access = door;
    }

    /**
     * Allocates a block for {@code size} bytes and hands it to {@code sink} as its chunk and
     * offset, without making a segment for it; the caller holds it until {@link #free}. Requests
     * above the allocator's large threshold get no block here (they take the public path).
     *
     * @param allocator where the block comes from
     * @param size      the bytes needed, {@code >= 0}
     * @param sink      receives the block, once, before this returns true
     * @return true if the sink got a block; false, having done nothing, above the large threshold
     * @throws IllegalArgumentException if {@code size} is negative
     * @throws IllegalStateException    if the allocator is closed
     */
    public static boolean allocate(ThreadCachingAllocator allocator, int size, BlockSink sink) {
        return access.allocate(allocator, size, sink);
    }

    /**
     * Gives back a block that {@link #allocate} handed to a sink, from any thread.
     *
     * @param allocator the allocator it came from
     * @param chunk     the very chunk segment the sink was given
     * @param offset    the offset the sink was given
     * @throws IllegalArgumentException if {@code chunk} is not a chunk of this allocator or {@code offset} does not start a block of it
     * @throws IllegalStateException    if the block is not held through the door (a double free, or a block from {@code allocate}), or the allocator is closed
     */
    public static void free(ThreadCachingAllocator allocator, MemorySegment chunk, int offset) {
        access.free(allocator, chunk, offset);
    }
}
