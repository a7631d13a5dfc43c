package dev.sliver.netty;

import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;

/**
 * A Netty {@link ByteBuf} over a {@link MemorySegment}: every access is checked twice, by the
 * buffer's own check against its capacity ({@link #at}, whatever Netty's
 * {@code io.netty.buffer.checkBounds} says) and by the segment it goes through ({@link #memory}),
 * so the buffer works with or without Netty's Unsafe mode, and it never exposes a raw
 * memory address ({@link #hasMemoryAddress()} is false). Netty code that wants an address takes
 * its {@code nioBuffer()} path instead: the NIO transport needs none; the native epoll and
 * io_uring transports copy such a buffer into a direct buffer of their own before a write. That
 * is the price of the guarantee that no handler can reach freed memory through a Sliver buffer.
 * Subclasses decide what the memory is, what {@code alloc()} reports and what the final release
 * does.
 *
 * <p>The file is longer than Sliver's usual ~300 lines because Netty's {@code AbstractByteBuf}
 * imposes the width: its eighteen {@code _get}/{@code _set} primitives and the bulk, NIO and array
 * methods are each one small override, and splitting them would scatter one class's contract.
 */
abstract class SegmentByteBuf extends CountedByteBuf {
    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Most bytes taken from an InputStream per call (a heap array each time). */
    private static final int STREAM_CHUNK = 64 * 1024;

    SegmentByteBuf(int maxCapacity) {
        super(maxCapacity);
    }

    /**
     * The segment the bytes are in: the buffer's own, or a larger one (a chunk) holding them at
     * {@link #at}. Every access goes through it, so none reaches past it, whatever the offsets.
     */
    abstract MemorySegment memory();

    /**
     * Where the bytes {@code [index, index + length)} are in {@link #memory()}, after checking
     * that they lie in {@code [0, capacity())}: this buffer's own bounds check, which never
     * depends on Netty's {@code io.netty.buffer.checkBounds}.
     *
     * @throws IndexOutOfBoundsException if they do not (negative, past the capacity, overflowing)
     */
    abstract long at(int index, int length);

    /**
     * Netty's check of a range (accessibility, and its wording), then the buffer's own
     * ({@link #at}), so that a method which moves no bytes for some lengths still refuses a bad
     * range when Netty's {@code checkBounds} is off.
     */
    final void checkRange(int index, int length) {
        checkIndex(index, length);
        at(index, length);
    }

    /** The bytes {@code [index, index + length)} as a segment, checked as {@link #at} checks. */
    final MemorySegment region(int index, int length) {
        return memory().asSlice(at(index, length), length);
    }

    @Override
    @SuppressWarnings("deprecation") // abstract in ByteBuf; deprecated only for callers
    public ByteOrder order() {
        return ByteOrder.BIG_ENDIAN;
    }

    @Override
    public ByteBuf unwrap() {
        return null;
    }

    @Override
    public boolean isDirect() {
        return memory().isNative();
    }

    // ------------------------------------------------------------ primitives (indices already checked)

    @Override
    protected byte _getByte(int index) {
        return memory().get(ValueLayout.JAVA_BYTE, at(index, 1));
    }

    @Override
    protected short _getShort(int index) {
        return memory().get(SHORT_BE, at(index, 2));
    }

    @Override
    protected short _getShortLE(int index) {
        return memory().get(SHORT_LE, at(index, 2));
    }

    @Override
    protected int _getUnsignedMedium(int index) {
        return (_getByte(index) & 0xff) << 16 | (_getByte(index + 1) & 0xff) << 8 | _getByte(index + 2) & 0xff;
    }

    @Override
    protected int _getUnsignedMediumLE(int index) {
        return _getByte(index) & 0xff | (_getByte(index + 1) & 0xff) << 8 | (_getByte(index + 2) & 0xff) << 16;
    }

    @Override
    protected int _getInt(int index) {
        return memory().get(INT_BE, at(index, 4));
    }

    @Override
    protected int _getIntLE(int index) {
        return memory().get(INT_LE, at(index, 4));
    }

    @Override
    protected long _getLong(int index) {
        return memory().get(LONG_BE, at(index, 8));
    }

    @Override
    protected long _getLongLE(int index) {
        return memory().get(LONG_LE, at(index, 8));
    }

    @Override
    protected void _setByte(int index, int value) {
        memory().set(ValueLayout.JAVA_BYTE, at(index, 1), (byte) value);
    }

    @Override
    protected void _setShort(int index, int value) {
        memory().set(SHORT_BE, at(index, 2), (short) value);
    }

    @Override
    protected void _setShortLE(int index, int value) {
        memory().set(SHORT_LE, at(index, 2), (short) value);
    }

    @Override
    protected void _setMedium(int index, int value) {
        _setByte(index, value >>> 16);
        _setByte(index + 1, value >>> 8);
        _setByte(index + 2, value);
    }

    @Override
    protected void _setMediumLE(int index, int value) {
        _setByte(index, value);
        _setByte(index + 1, value >>> 8);
        _setByte(index + 2, value >>> 16);
    }

    @Override
    protected void _setInt(int index, int value) {
        memory().set(INT_BE, at(index, 4), value);
    }

    @Override
    protected void _setIntLE(int index, int value) {
        memory().set(INT_LE, at(index, 4), value);
    }

    @Override
    protected void _setLong(int index, long value) {
        memory().set(LONG_BE, at(index, 8), value);
    }

    @Override
    protected void _setLongLE(int index, long value) {
        memory().set(LONG_LE, at(index, 8), value);
    }

    // ------------------------------------------------------------ bulk transfers

    @Override
    public ByteBuf getBytes(int index, ByteBuf dst, int dstIndex, int length) {
        checkDstIndex(index, length, dstIndex, dst.capacity());
        if (dst.hasArray()) {
            getBytes(index, dst.array(), dst.arrayOffset() + dstIndex, length);
        } else if (dst.nioBufferCount() > 0) {
            for (ByteBuffer bb : dst.nioBuffers(dstIndex, length)) {
                int n = bb.remaining();
                getBytes(index, bb);
                index += n;
            }
        } else {
            dst.setBytes(dstIndex, this, index, length);
        }
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, byte[] dst, int dstIndex, int length) {
        checkDstIndex(index, length, dstIndex, dst.length);
        MemorySegment.copy(memory(), ValueLayout.JAVA_BYTE, at(index, length), dst, dstIndex, length);
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, ByteBuffer dst) {
        int length = dst.remaining();
        checkRange(index, length);
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException(); // what ByteBuffer.put throws, before any byte moves
        }
        MemorySegment.ofBuffer(dst).copyFrom(region(index, length));
        dst.position(dst.position() + length);
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, OutputStream out, int length) throws IOException {
        checkRange(index, length);
        if (length > 0) {
            out.write(region(index, length).toArray(ValueLayout.JAVA_BYTE));
        }
        return this;
    }

    @Override
    public int getBytes(int index, GatheringByteChannel out, int length) throws IOException {
        checkRange(index, length);
        return length == 0 ? 0 : out.write(nioBuffer(index, length));
    }

    @Override
    public int getBytes(int index, FileChannel out, long position, int length) throws IOException {
        checkRange(index, length);
        return length == 0 ? 0 : out.write(nioBuffer(index, length), position);
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuf src, int srcIndex, int length) {
        checkSrcIndex(index, length, srcIndex, src.capacity());
        if (src.hasArray()) {
            setBytes(index, src.array(), src.arrayOffset() + srcIndex, length);
        } else if (src.nioBufferCount() > 0) {
            for (ByteBuffer bb : src.nioBuffers(srcIndex, length)) {
                int n = bb.remaining();
                setBytes(index, bb);
                index += n;
            }
        } else {
            src.getBytes(srcIndex, this, index, length);
        }
        return this;
    }

    @Override
    public ByteBuf setBytes(int index, byte[] src, int srcIndex, int length) {
        checkSrcIndex(index, length, srcIndex, src.length);
        MemorySegment.copy(src, srcIndex, memory(), ValueLayout.JAVA_BYTE, at(index, length), length);
        return this;
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuffer src) {
        int length = src.remaining();
        checkRange(index, length);
        region(index, length).copyFrom(MemorySegment.ofBuffer(src));
        src.position(src.limit());
        return this;
    }

    /** One read, as Netty's buffers do: fewer bytes than asked may arrive; -1 at the end of the stream. */
    @Override
    public int setBytes(int index, InputStream in, int length) throws IOException {
        checkRange(index, length);
        byte[] tmp = new byte[Math.min(length, STREAM_CHUNK)];
        int n = in.read(tmp, 0, tmp.length);
        if (n > 0) {
            MemorySegment.copy(tmp, 0, memory(), ValueLayout.JAVA_BYTE, at(index, n), n);
        }
        return n;
    }

    @Override
    public int setBytes(int index, ScatteringByteChannel in, int length) throws IOException {
        checkRange(index, length);
        try {
            return in.read(nioBuffer(index, length));
        } catch (ClosedChannelException e) {
            return -1;
        }
    }

    @Override
    public int setBytes(int index, FileChannel in, long position, int length) throws IOException {
        checkRange(index, length);
        try {
            return in.read(nioBuffer(index, length), position);
        } catch (ClosedChannelException e) {
            return -1;
        }
    }

    @Override
    public ByteBuf copy(int index, int length) {
        checkRange(index, length);
        ByteBuf copy = alloc().directBuffer(length, maxCapacity());
        return copy.writeBytes(this, index, length);
    }

    // ------------------------------------------------------------ NIO views

    @Override
    public int nioBufferCount() {
        return 1;
    }

    @Override
    public ByteBuffer nioBuffer(int index, int length) {
        checkRange(index, length);
        return region(index, length).asByteBuffer();
    }

    @Override
    public ByteBuffer internalNioBuffer(int index, int length) {
        return nioBuffer(index, length);
    }

    @Override
    public ByteBuffer[] nioBuffers(int index, int length) {
        return new ByteBuffer[] {nioBuffer(index, length)};
    }

    /** One block of memory: Netty's codecs may take their contiguous fast paths. */
    @Override
    public boolean isContiguous() {
        return true;
    }

    @Override
    public boolean hasArray() {
        return false;
    }

    @Override
    public byte[] array() {
        throw new UnsupportedOperationException("direct buffer");
    }

    @Override
    public int arrayOffset() {
        throw new UnsupportedOperationException("direct buffer");
    }

    /** False: raw addresses would let code bypass the bounds and lifetime checks. */
    @Override
    public boolean hasMemoryAddress() {
        return false;
    }

    @Override
    public long memoryAddress() {
        throw new UnsupportedOperationException("Sliver buffers do not expose raw memory addresses");
    }
}
