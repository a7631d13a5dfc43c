package dev.sliver.netty;

import dev.sliver.core.Slice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.FileChannel;
import java.nio.channels.ScatteringByteChannel;
import java.util.Objects;

/**
 * A read-only ByteBuf over a {@link Slice}. It holds one reference to the slice, taken when it is
 * made and dropped on the ByteBuf's final release; Netty's slices and duplicates of it share the
 * ByteBuf's count, as Netty users expect.
 */
final class SliceByteBuf extends SegmentByteBuf {
    private final ByteBufAllocator alloc;
    private final Slice slice;
    /** The slice's bytes, exactly: the capacity is its size. */
    private final MemorySegment segment;

    SliceByteBuf(ByteBufAllocator alloc, Slice slice) {
        // A maximum above the capacity sends every write that needs room to capacity(int), which
        // throws ReadOnlyBufferException, as Netty's read-only buffers do, not IndexOutOfBounds.
        super(Integer.MAX_VALUE);
        this.alloc = alloc;
        this.slice = slice;
        this.segment = slice.asSegment();
        writerIndex((int) slice.length());
    }

    @Override
    MemorySegment memory() {
        return segment;
    }

    @Override
    long at(int index, int length) {
        return Objects.checkFromIndexSize(index, length, segment.byteSize());
    }

    @Override
    public int capacity() {
        return (int) segment.byteSize();
    }

    @Override
    public ByteBufAllocator alloc() {
        return alloc;
    }

    @Override
    protected void deallocate() {
        slice.release();
    }

    @Override
    public boolean isReadOnly() {
        return true;
    }

    @Override
    public ByteBuf asReadOnly() {
        return this;
    }

    @Override
    public boolean isWritable() {
        return false;
    }

    @Override
    public boolean isWritable(int numBytes) {
        return false;
    }

    @Override
    public ByteBuf ensureWritable(int minWritableBytes) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public int ensureWritable(int minWritableBytes, boolean force) {
        return 1; // "the buffer has not enough bytes and its capacity cannot change", as ReadOnlyByteBufferBuf says
    }

    @Override
    public ByteBuf capacity(int newCapacity) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setByte(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setShort(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setShortLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setMedium(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setMediumLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setInt(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setIntLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setLong(int index, long value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setLongLE(int index, long value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuf src, int srcIndex, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public ByteBuf setBytes(int index, byte[] src, int srcIndex, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuffer src) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public int setBytes(int index, InputStream in, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public int setBytes(int index, ScatteringByteChannel in, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public int setBytes(int index, FileChannel in, long position, int length) {
        throw new ReadOnlyBufferException();
    }
}
