package dev.sliver.netty;

import dev.sliver.alloc.ThreadCachingAllocator;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.IllegalReferenceCountException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** One ByteBuf behaviour suite; Netty's pooled and adaptive allocators and Sliver's pass the same assertions. */
class ByteBufConformanceTest {
    private static final ThreadCachingAllocator ALLOCATOR = ThreadCachingAllocator.builder().name("conformance").build();

    static Stream<ByteBufAllocator> allocators() {
        return Stream.of(new PooledByteBufAllocator(true), new AdaptiveByteBufAllocator(true, true),
                new SliverByteBufAllocator(ALLOCATOR));
    }

    /** Leaks reported before this class ran (another class proves on purpose that a leak is seen). */
    private static int leaksBefore;

    @org.junit.jupiter.api.BeforeAll
    static void countLeaksFromHere() throws InterruptedException {
        leaksBefore = LeakCounter.settle(ByteBufAllocator.DEFAULT);
    }

    @AfterAll
    static void sliverGotEverythingBackAndNothingLeaked() throws InterruptedException {
        assertEquals(0, ALLOCATOR.stats().bytesInUse(), "every Sliver-backed buffer was returned");
        // PARANOID detection, installed when the test session opened (InstallLeakCounter), so
        // this holds whichever class ran first.
        assertEquals(leaksBefore, LeakCounter.settle(new SliverByteBufAllocator(ALLOCATOR)),
                "Netty's leak detector reported a buffer of this class that was never released");
        ALLOCATOR.close();
    }

    @ParameterizedTest
    @MethodSource("allocators")
    void primitivesRoundTripInBothByteOrders(ByteBufAllocator alloc) {
        ByteBuf buf = alloc.directBuffer(64);
        buf.writeByte(-2).writeShort(0x1234).writeShortLE(0x1234).writeMedium(0x123456).writeMediumLE(0x123456)
                .writeInt(0x12345678).writeIntLE(0x12345678).writeLong(0x123456789ABCDEFL).writeLongLE(0x123456789ABCDEFL)
                .writeChar('x').writeFloat(1.5f).writeDouble(2.25).writeBoolean(true).writeFloatLE(3.5f).writeDoubleLE(-1.0);
        assertEquals(-2, buf.readByte());
        assertEquals(0x1234, buf.readShort());
        assertEquals(0x1234, buf.readShortLE());
        assertEquals(0x123456, buf.readMedium());
        assertEquals(0x123456, buf.readMediumLE());
        assertEquals(0x12345678, buf.readInt());
        assertEquals(0x12345678, buf.readIntLE());
        assertEquals(0x123456789ABCDEFL, buf.readLong());
        assertEquals(0x123456789ABCDEFL, buf.readLongLE());
        assertEquals('x', buf.readChar());
        assertEquals(1.5f, buf.readFloat());
        assertEquals(2.25, buf.readDouble());
        assertTrue(buf.readBoolean());
        assertEquals(3.5f, buf.readFloatLE());
        assertEquals(-1.0, buf.readDoubleLE());
        assertEquals(0x34, buf.getByte(2), "big-endian short: high byte first");
        assertEquals(0x12, buf.getByte(4), "little-endian short: low byte first");
        assertEquals(0xFE, buf.getUnsignedByte(0));
        assertEquals(0x3412, buf.getUnsignedShort(3));
        assertFalse(buf.isReadable());
        assertTrue(buf.release());
    }

    @ParameterizedTest
    @MethodSource("allocators")
    void indicesMarksAndBounds(ByteBufAllocator alloc) {
        ByteBuf buf = alloc.directBuffer(16, 16);
        buf.writeBytes(new byte[] {1, 2, 3, 4, 5});
        buf.markReaderIndex();
        buf.readByte();
        buf.readByte();
        assertEquals(2, buf.readerIndex());
        buf.resetReaderIndex();
        assertEquals(0, buf.readerIndex());
        buf.markWriterIndex();
        buf.writeByte(6);
        buf.resetWriterIndex();
        assertEquals(5, buf.writerIndex());
        assertThrows(IndexOutOfBoundsException.class, () -> buf.readerIndex(6));
        assertThrows(IndexOutOfBoundsException.class, () -> buf.writerIndex(17));
        assertThrows(IndexOutOfBoundsException.class, () -> buf.getInt(14));
        assertThrows(IndexOutOfBoundsException.class, () -> buf.getByte(-1));
        buf.skipBytes(3);
        buf.discardReadBytes();
        assertEquals(0, buf.readerIndex());
        assertEquals(2, buf.readableBytes());
        assertEquals(4, buf.getByte(0));
        buf.clear();
        assertEquals(0, buf.writerIndex());
        buf.release();
    }

    @ParameterizedTest
    @MethodSource("allocators")
    void capacityGrowsUpToMaxCapacity(ByteBufAllocator alloc) {
        ByteBuf buf = alloc.directBuffer(8, 1000);
        for (int i = 0; i < 1000; i++) {
            buf.writeByte(i);
        }
        assertTrue(buf.capacity() >= 1000);
        assertEquals(1000, buf.maxCapacity());
        for (int i = 0; i < 1000; i++) {
            assertEquals((byte) i, buf.getByte(i));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> buf.writeByte(1));
        buf.capacity(10);
        assertEquals(10, buf.capacity());
        assertEquals(10, buf.writerIndex(), "shrinking trims the indices");
        assertEquals(9, buf.getByte(9));
        buf.release();
    }

    @ParameterizedTest
    @MethodSource("allocators")
    void derivedBuffersShareMemoryAndCounts(ByteBufAllocator alloc) {
        ByteBuf buf = alloc.directBuffer(16);
        buf.writeBytes(new byte[] {1, 2, 3, 4, 5, 6});
        ByteBuf slice = buf.slice(1, 3);
        ByteBuf dup = buf.duplicate();
        buf.setByte(2, 42);
        assertEquals(42, slice.getByte(1));
        assertEquals(42, dup.getByte(2));
        assertEquals(buf.refCnt(), slice.refCnt(), "a plain slice shares the parent's count");
        ByteBuf retainedSlice = buf.retainedSlice(0, 2);
        ByteBuf retainedDup = buf.retainedDuplicate();
        assertTrue(buf.release() == false, "the retained views keep the memory");
        assertEquals(42, retainedDup.getByte(2));
        assertEquals(1, retainedSlice.getByte(0));
        retainedSlice.release();
        assertTrue(retainedDup.release());
        assertEquals(0, buf.refCnt());
        assertThrows(IllegalReferenceCountException.class, () -> slice.getByte(0));
    }

    @ParameterizedTest
    @MethodSource("allocators")
    void nioBuffersSeeTheSameBytes(ByteBufAllocator alloc) {
        ByteBuf buf = alloc.directBuffer(32);
        buf.writeBytes("hello, netty".getBytes(StandardCharsets.US_ASCII));
        assertTrue(buf.nioBufferCount() >= 1);
        ByteBuffer nio = buf.nioBuffer(7, 5);
        assertEquals(5, nio.remaining());
        assertEquals('n', nio.get(0));
        int total = 0;
        for (ByteBuffer part : buf.nioBuffers()) {
            total += part.remaining();
        }
        assertEquals(12, total);
        assertEquals("netty", buf.toString(7, 5, StandardCharsets.US_ASCII));
        buf.release();
    }

    @ParameterizedTest
    @MethodSource("allocators")
    void bulkTransfersWithArraysBuffersStreamsAndChannels(ByteBufAllocator alloc, @TempDir Path dir) throws Exception {
        ByteBuf buf = alloc.directBuffer(64);
        byte[] data = new byte[40];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 3);
        }
        buf.writeBytes(data);
        byte[] back = new byte[10];
        buf.getBytes(5, back);
        assertEquals(15, back[0]);
        ByteBuffer direct = ByteBuffer.allocateDirect(10);
        buf.getBytes(10, direct);
        assertEquals(30, direct.get(0));
        ByteBuf heap = Unpooled.buffer(40);
        buf.getBytes(0, heap, 0, 40);
        heap.writerIndex(40);
        assertEquals(buf, heap, "equals compares readable content");
        assertEquals(0, buf.compareTo(heap));
        assertEquals(buf.hashCode(), heap.hashCode());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        buf.getBytes(0, out, 40);
        assertArrayEquals(data, out.toByteArray());
        assertEquals(40, buf.setBytes(0, new ByteArrayInputStream(data), 40));

        try (FileChannel ch = FileChannel.open(dir.resolve("f"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            assertEquals(40, buf.getBytes(0, ch, 0L, 40));
            ByteBuf in = alloc.directBuffer(40);
            assertEquals(40, in.writeBytes(ch, 0L, 40));
            assertEquals(buf, in);
            ch.position(0);
            ByteBuf in2 = alloc.directBuffer(40);
            assertEquals(40, in2.writeBytes(ch, 40));
            assertEquals(buf, in2);
            in.release();
            in2.release();
        }
        ByteBuf copy = buf.copy(1, 4);
        buf.setByte(1, 99);
        assertEquals(3, copy.getByte(0), "copy() does not share memory");
        copy.release();
        heap.release();
        buf.release();
    }

    @ParameterizedTest
    @MethodSource("allocators")
    void referenceCountMisuseThrows(ByteBufAllocator alloc) {
        ByteBuf buf = alloc.directBuffer(8);
        buf.retain();
        assertEquals(2, buf.refCnt());
        assertFalse(buf.release());
        assertTrue(buf.release());
        assertThrows(IllegalReferenceCountException.class, buf::release);
        assertThrows(IllegalReferenceCountException.class, buf::retain);
        assertThrows(IllegalReferenceCountException.class, () -> buf.getByte(0));
        assertThrows(IllegalReferenceCountException.class, () -> buf.writeByte(1));
        ByteBuf other = alloc.directBuffer(8);
        assertThrows(IllegalReferenceCountException.class, () -> other.release(2));
        assertTrue(other.release());
    }

    @ParameterizedTest
    @MethodSource("allocators")
    void readingIntoAReadOnlyDestinationThrowsReadOnlyBufferExceptionBeforeAnyByteMoves(ByteBufAllocator alloc) {
        ByteBuf buf = alloc.directBuffer(8).writeLong(42);
        for (ByteBuffer readOnly : new ByteBuffer[] {ByteBuffer.allocate(8).asReadOnlyBuffer(),
                ByteBuffer.allocateDirect(8).asReadOnlyBuffer()}) {
            assertThrows(java.nio.ReadOnlyBufferException.class, () -> buf.getBytes(0, readOnly));
            assertThrows(java.nio.ReadOnlyBufferException.class, () -> buf.readBytes(readOnly));
            assertEquals(0, readOnly.position(), "nothing moved");
            assertEquals(0, buf.readerIndex());
        }
        assertTrue(buf.release());
    }

    @ParameterizedTest
    @MethodSource("allocators")
    void theEndOfAStreamOrChannelIsMinusOne(ByteBufAllocator alloc, @TempDir Path dir) throws Exception {
        ByteBuf buf = alloc.directBuffer(16);
        assertEquals(-1, buf.writeBytes(new ByteArrayInputStream(new byte[0]), 4));
        ByteArrayInputStream atEnd = new ByteArrayInputStream(new byte[] {1});
        assertEquals(1, atEnd.read());
        assertEquals(-1, buf.setBytes(0, atEnd, 4));
        assertEquals(2, buf.writeBytes(new ByteArrayInputStream(new byte[] {7, 8}), 4), "what the stream has");
        java.nio.channels.Pipe pipe = java.nio.channels.Pipe.open();
        pipe.sink().close();
        assertEquals(-1, buf.writeBytes(pipe.source(), 4));
        pipe.source().close();
        try (FileChannel empty = FileChannel.open(dir.resolve("empty"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            assertEquals(-1, buf.writeBytes(empty, 0, 4));
            assertEquals(-1, buf.writeBytes(empty, 4));
        }
        assertEquals(2, buf.writerIndex(), "only the two bytes that existed were written");
        assertTrue(buf.release());
    }

    @ParameterizedTest
    @MethodSource("allocators")
    void aDirectBufferIsOneContiguousBlock(ByteBufAllocator alloc) {
        ByteBuf buf = alloc.directBuffer(16);
        assertTrue(buf.isContiguous());
        assertTrue(buf.release());
    }

    @ParameterizedTest
    @MethodSource("allocators")
    void heapBuffersArePooled(ByteBufAllocator alloc) throws Exception {
        alloc.heapBuffer(1 << 20).release(); // warm up
        long before = allocatedBytes();
        for (int i = 0; i < 100; i++) {
            ByteBuf buf = alloc.heapBuffer(1 << 20);
            buf.writeLong(i);
            assertTrue(buf.release());
        }
        long allocated = allocatedBytes() - before;
        assertTrue(allocated < 8L << 20, alloc + ": 100 heap buffers of 1 MiB allocated " + allocated + " bytes of heap");
        assertTrue(alloc.isDirectBufferPooled());
    }

    /** Heap bytes this thread allocated so far (com.sun.management through reflection: the test module does not read it). */
    private static long allocatedBytes() throws Exception {
        Object threads = java.lang.management.ManagementFactory.getThreadMXBean();
        java.lang.reflect.Method m = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        return (long) m.invoke(threads);
    }
}
