package dev.sliver.netty;

import java.lang.foreign.MemorySegment;

/**
 * What a {@link SliverDirectByteBuf} reads and writes through, shared by every buffer of one
 * allocator whose block lies in the same chunk: the chunk's bounds-checked segment and the
 * allocator. Holding this one reference instead of a segment and an allocator is what keeps a
 * buffer at 48 bytes. A buffer over a large block (one of its own, above the allocator's large
 * threshold) gets a view of its own whose segment is that block ({@code ownBlock}).
 *
 * <p>Immutable (final fields), so a view read without synchronization is always whole.
 *
 * @param memory   the chunk's segment, or a large block's own
 * @param alloc    the allocator whose blocks these are
 * @param ownBlock whether {@code memory} is one large block, freed as a segment, rather than a chunk
 */
record ChunkView(MemorySegment memory, SliverByteBufAllocator alloc, boolean ownBlock) {
}
