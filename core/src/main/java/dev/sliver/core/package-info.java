/**
 * Reference-counted, read-only views of off-heap memory: {@link dev.sliver.core.Slice}, the blobs
 * of one record as views of its one segment ({@link dev.sliver.core.Batch}), the allocator SPI
 * ({@link dev.sliver.core.MemoryAllocator}) and leak detection ({@link dev.sliver.core.LeakDetector}).
 */
package dev.sliver.core;
