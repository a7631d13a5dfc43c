package dev.sliver.netty;

import dev.sliver.codec.RecordWriter;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.List;

/**
 * Records whose blobs are Netty {@link ByteBuf}s, written in Sliver's format with no copy: the
 * ByteBuf counterpart of {@link dev.sliver.codec.Codec#serialize}. (The bridge between one
 * {@code Slice} and one ByteBuf is {@link SliverByteBufs}; the pipeline's is {@link RecordEncoder}.)
 */
public final class ByteBufRecords {
    private ByteBufRecords() {
    }

    /**
     * Writes one record of the buffers' readable bytes to {@code channel}: each ByteBuf is one blob,
     * written through its NIO views with gathering writes, no copy. Indices and reference counts
     * are not changed.
     *
     * @param blobs   the record's blobs, in order
     * @param channel where the record goes
     * @return the number of bytes written, header included
     * @throws IOException if the channel fails
     */
    public static long serialize(List<ByteBuf> blobs, WritableByteChannel channel) throws IOException {
        RecordWriter writer = new RecordWriter();
        for (ByteBuf blob : blobs) {
            writer.add(blob.nioBuffers(blob.readerIndex(), blob.readableBytes()));
        }
        return writer.writeTo(channel);
    }
}
