/**
 * Sliver codec: the record format ({@code [total u64][count u64][count x length u64][payload]},
 * little-endian), {@link dev.sliver.codec.Codec#serialize} and zero-copy
 * {@link dev.sliver.codec.Codec#deserialize}, and memory-mapped reads.
 */
module dev.sliver.codec {
    requires transitive dev.sliver.core;
    requires transitive dev.sliver.alloc;
    exports dev.sliver.codec;
}
