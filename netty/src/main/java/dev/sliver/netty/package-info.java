/**
 * Netty interop: {@link dev.sliver.netty.SliverByteBufs} (slices as ByteBufs and back),
 * {@link dev.sliver.netty.ByteBufRecords} (records of ByteBufs written with no copy),
 * {@link dev.sliver.netty.SliverByteBufAllocator} (ByteBufs in Sliver memory), and the pipeline
 * handlers {@link dev.sliver.netty.RecordDecoder} and {@link dev.sliver.netty.RecordEncoder}.
 */
package dev.sliver.netty;
