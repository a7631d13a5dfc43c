/**
 * Sliver alloc: {@link dev.sliver.alloc.ThreadCachingAllocator}, a thread-caching off-heap
 * allocator in the tcmalloc tradition, built on {@code java.lang.foreign} only.
 */
@SuppressWarnings("module") // dev.sliver.netty, the block door's only user, is compiled after this module
module dev.sliver.alloc {
    requires transitive dev.sliver.core;
    requires transitive java.management;
    exports dev.sliver.alloc;
    // The block door hands out blocks without a segment of their own, relying on the holder's
    // reference count to free each once: only Sliver's Netty buffers may use it.
    exports dev.sliver.alloc.blocks to dev.sliver.netty;
}
