/**
 * Sliver core: reference-counted, read-only views of off-heap memory ({@link dev.sliver.core.Slice}),
 * the views of one record ({@link dev.sliver.core.Batch}) and the allocator SPI
 * ({@link dev.sliver.core.MemoryAllocator}). No dependencies.
 */
module dev.sliver.core {
    exports dev.sliver.core;
}
