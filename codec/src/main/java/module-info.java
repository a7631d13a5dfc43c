/**
 * Sliver codec: the record format ({@code [total u64][count u64][count x length u64][payload]},
 * little-endian), {@link dev.sliver.codec.Codec#serialize} and zero-copy
 * {@link dev.sliver.codec.Codec#deserialize}, and memory-mapped reads.
 *
 * <p>Its API speaks of {@code dev.sliver.core} types only, so it requires core transitively. It
 * reads {@code dev.sliver.alloc} at one place, {@link dev.sliver.codec.ReadOptions#defaultAllocator()},
 * and does not pass that module on: code that names {@code ThreadCachingAllocator} requires
 * {@code dev.sliver.alloc} itself.
 */
module dev.sliver.codec {
    requires transitive dev.sliver.core;
    requires dev.sliver.alloc;
    exports dev.sliver.codec;
}
