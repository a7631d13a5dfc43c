/**
 * Sliver's off-heap allocator, {@link dev.sliver.alloc.ThreadCachingAllocator}, in the tradition
 * of tcmalloc, jemalloc and mimalloc, on {@code java.lang.foreign} alone.
 *
 * <h2>Layers</h2>
 * A request up to the large threshold (256 KiB by default) is rounded to one of about 50 size
 * classes (at most 20% waste above 64 bytes). Each platform thread has a cache of free blocks per
 * class: allocation and free are a pop and a push on a plain {@code long[]}, plus, at free, one
 * CAS on the block's slot of its span (which catches double and stale frees). Caches refill from
 * and flush to a central cache of lock-free, ABA-safe stacks of whole bundles; only when those
 * run dry or overflow does a thread lock one of several pools, which carve 4 MiB chunks into
 * spans. Larger requests get a mapping of their own, kept for reuse for the decay period after
 * free.
 *
 * <h2>Files</h2>
 * One idea each. Public: {@code ThreadCachingAllocator} (the front door: allocate, free, sizes,
 * stats, close, with each fast path's ordering argument beside it), {@code LocalHandle} (the
 * allocator bound to one thread), {@code AllocatorSettings} (the knobs and their builder),
 * {@code AllocatorStats} and {@code ClassStats} (snapshots), {@code ThreadCachingAllocatorMXBean}.
 * Package-private: {@code Layers} (the layers behind the front door, wired, and every path
 * through them but the fast ones: slow allocations and frees, decay ticks, snapshots, unmapping),
 * {@code ThreadCaches} (finding a thread's cache, reaping dead threads'),
 * {@code Stripes} (the caches virtual threads share), {@code ThreadCache} (one cache),
 * {@code CentralCache} and {@code TransferStack} over {@code StampedIndexStack} (the lock-free
 * middle layer), {@code Pool}, {@code Chunk}, {@code Span} and {@code PageMap} (where blocks come
 * from and how an address finds its span), {@code LargeBlocks}, {@code SizeClasses},
 * {@code OsMemory} (mmap), {@code DecayThread}, {@code AllocatorJmx} and {@code AllocatorCounters}.
 */
package dev.sliver.alloc;
