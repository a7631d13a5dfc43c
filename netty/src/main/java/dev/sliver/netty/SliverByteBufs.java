package dev.sliver.netty;

import dev.sliver.codec.RecordWriter;
import dev.sliver.core.MemoryAllocator;
import dev.sliver.core.Slice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.List;

/**
 * Zero-copy bridges between Sliver {@link Slice}s and Netty {@link ByteBuf}s.
 *
 * <p>Ownership follows each side's rules: a ByteBuf made from a slice holds one slice reference
 * and drops it on its own final release; a slice made from a ByteBuf holds one ByteBuf
 * reference and drops it on its final release. Thread-safe.
 */
public final class SliverByteBufs {
    private SliverByteBufs() {
    }

    /**
     * A read-only ByteBuf over the slice's bytes, no copy. It takes one reference to the slice
     * (a borrowed view from a batch is retained): release the ByteBuf, and release your own slice
     * reference as usual. Netty slices and duplicates of it share its reference count.
     *
     * @throws IllegalArgumentException if the slice is longer than {@link Integer#MAX_VALUE}
     *                                  bytes, the most a ByteBuf can address; cut it with
     *                                  {@link Slice#slice} and wrap the pieces
     */
    public static ByteBuf wrap(Slice slice) {
        return wrap(slice, SliverByteBufAllocator.DEFAULT);
    }

    /** Like {@link #wrap(Slice)}; {@code alloc} is what the ByteBuf's {@code alloc()} reports. */
    public static ByteBuf wrap(Slice slice, ByteBufAllocator alloc) {
        if (slice.length() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a slice of " + slice.length()
                    + " bytes exceeds the 2 GiB a ByteBuf can address; wrap slices of it instead");
        }
        slice.retain();
        try {
            return new SliceByteBuf(alloc, slice);
        } catch (RuntimeException | Error e) {
            slice.release();
            throw e;
        }
    }

    /**
     * The readable bytes of {@code buf} as a slice, holding one reference to {@code buf} until the
     * slice's final release. A buffer with one NIO view (any direct or heap buffer, a composite of
     * one component) is not copied; a composite of several components is copied into one block of
     * {@code copyAllocator}, since a slice is one contiguous range.
     */
    public static Slice asSlice(ByteBuf buf, MemoryAllocator copyAllocator) {
        int length = buf.readableBytes();
        if (buf.nioBufferCount() == 1) {
            ByteBuffer view = buf.nioBuffer(buf.readerIndex(), length);
            buf.retain();
            return Slice.wrap(MemorySegment.ofBuffer(view), buf::release);
        }
        MemorySegment copy = copyAllocator.allocate(length, 1);
        buf.getBytes(buf.readerIndex(), copy.asByteBuffer());
        return Slice.wrap(copy, () -> copyAllocator.free(copy));
    }

    /** {@link #asSlice(ByteBuf, MemoryAllocator)} with Sliver's shared allocator for composites. */
    public static Slice asSlice(ByteBuf buf) {
        return asSlice(buf, SliverByteBufAllocator.DEFAULT.memory());
    }

    /**
     * Writes one record of the buffers' readable bytes to {@code channel}: each ByteBuf is one blob,
     * written through its NIO views with gathering writes, no copy. Indices and reference counts
     * are not changed.
     */
    public static long serialize(List<ByteBuf> blobs, WritableByteChannel channel) throws IOException {
        RecordWriter writer = new RecordWriter();
        for (ByteBuf blob : blobs) {
            writer.add(blob.nioBuffers(blob.readerIndex(), blob.readableBytes()));
        }
        return writer.writeTo(channel);
    }
}
