/**
 * The block door of {@link dev.sliver.alloc.ThreadCachingAllocator}: blocks held as a chunk and
 * an offset, without a segment each ({@link dev.sliver.alloc.blocks.Blocks}). Exported only to
 * {@code dev.sliver.netty}.
 */
package dev.sliver.alloc.blocks;
