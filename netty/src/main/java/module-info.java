/**
 * Sliver for Netty: {@link dev.sliver.netty.SliverByteBufs} (Slice to ByteBuf and back),
 * {@link dev.sliver.netty.ByteBufRecords} (records of ByteBufs),
 * {@link dev.sliver.netty.SliverByteBufAllocator}, and the pipeline handlers
 * {@link dev.sliver.netty.RecordDecoder} and {@link dev.sliver.netty.RecordEncoder}.
 */
module dev.sliver.netty {
    requires transitive dev.sliver.codec;
    requires transitive dev.sliver.alloc; // SliverByteBufAllocator is made over a ThreadCachingAllocator
    requires transitive io.netty.buffer;
    requires transitive io.netty.transport;
    requires transitive io.netty.common;
    exports dev.sliver.netty;
}
