/**
 * Sliver alloc: {@link dev.sliver.alloc.ThreadCachingAllocator}, a thread-caching off-heap
 * allocator in the tcmalloc tradition, built on {@code java.lang.foreign} only.
 */
module dev.sliver.alloc {
    requires transitive dev.sliver.core;
    requires transitive java.management;
    exports dev.sliver.alloc;
}
