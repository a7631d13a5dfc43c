package dev.sliver.netty;

import dev.sliver.alloc.ThreadCachingAllocator;
import dev.sliver.codec.Codec;
import dev.sliver.core.Batch;
import dev.sliver.core.CountingAllocator;
import dev.sliver.core.Slice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.IllegalReferenceCountException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.Channels;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class SliverByteBufsTest {
    private final CountingAllocator counting = new CountingAllocator(ThreadCachingAllocator.shared());

    @BeforeAll
    static void leakDetection() {
        LeakCounter.install();
    }

    private Slice slice(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return Slice.copyOf(b, counting);
    }

    @Test
    void aWrappedSliceShowsTheSameBytesWithoutCopying() {
        try (Slice s = slice(1, 2, 3, 4)) {
            ByteBuf buf = SliverByteBufs.wrap(s);
            assertEquals(4, buf.readableBytes());
            assertEquals(0x01020304, buf.getInt(0));
            assertEquals(s.asSegment().address(), MemorySegment.ofBuffer(buf.nioBuffer()).address(), "same memory");
            assertTrue(buf.isReadOnly());
            assertThrows(ReadOnlyBufferException.class, () -> buf.setByte(0, 9));
            assertThrows(ReadOnlyBufferException.class, () -> buf.writeByte(9), "no room, and none can be made");
            assertThrows(ReadOnlyBufferException.class, () -> buf.ensureWritable(1));
            assertThrows(ReadOnlyBufferException.class, () -> buf.capacity(8));
            assertEquals(2, s.refCount(), "the ByteBuf holds one slice reference");
            assertTrue(buf.release());
            assertEquals(1, s.refCount());
        }
        assertEquals(0, counting.outstandingSegments());
    }

    @Test
    void releasingInEveryOrderFreesTheSegmentExactlyOnce() {
        for (int order = 0; order < 4; order++) {
            AtomicInteger frees = new AtomicInteger();
            MemorySegment block = counting.allocate(8);
            Slice s = Slice.wrap(block, () -> {
                frees.incrementAndGet();
                counting.free(block);
            });
            ByteBuf buf = SliverByteBufs.wrap(s);
            ByteBuf dup = buf.retainedDuplicate();
            ByteBuf part = buf.retainedSlice(2, 4);
            switch (order) {
                case 0 -> { s.release(); buf.release(); dup.release(); part.release(); }
                case 1 -> { part.release(); dup.release(); buf.release(); s.release(); }
                case 2 -> { buf.release(); s.release(); part.release(); dup.release(); }
                default -> { dup.release(); s.release(); part.release(); buf.release(); }
            }
            assertEquals(1, frees.get(), "order " + order);
            assertThrows(IllegalReferenceCountException.class, buf::release);
            assertThrows(IllegalStateException.class, s::release);
        }
        assertEquals(0, counting.outstandingSegments());
    }

    @Test
    void borrowedViewsFromABatchCanBeWrapped() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Codec.serialize(List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}), Channels.newChannel(out));
        ByteBuf wrapped;
        try (Batch batch = Codec.deserialize(Channels.newChannel(new java.io.ByteArrayInputStream(out.toByteArray())))) {
            wrapped = SliverByteBufs.wrap(batch.get(1));
        }
        assertEquals(0x0405, wrapped.getShort(0), "the ByteBuf keeps the record alive after the batch closed");
        wrapped.release();
    }

    @Test
    void aByteBufBecomesASliceHoldingOneReference() {
        SliverByteBufAllocator alloc = new SliverByteBufAllocator(ThreadCachingAllocator.shared());
        ByteBuf parent = alloc.directBuffer(16).writeBytes(new byte[] {9, 8, 7, 6});
        ByteBuf derived = parent.retainedSlice(0, 4); // shares the parent's count
        parent.release();
        for (ByteBuf buf : List.of(alloc.directBuffer(16).writeBytes(new byte[] {9, 8, 7, 6}),
                Unpooled.buffer(16).writeBytes(new byte[] {9, 8, 7, 6}), derived)) {
            buf.readByte();
            Slice s = SliverByteBufs.asSlice(buf);
            assertEquals(2, buf.refCnt(), "Sliver and heap memory are not copied: the slice holds a reference");
            assertArrayEquals(new byte[] {8, 7, 6}, s.toByteArray());
            buf.setByte(1, 42);
            assertEquals(42, s.get(0), "no copy");
            buf.setByte(1, 8);
            buf.release();
            assertEquals(7, s.get(1), "the slice keeps the ByteBuf alive");
            s.release();
            assertEquals(0, buf.refCnt());
        }

        ByteBuf foreign = Unpooled.directBuffer(16).writeBytes(new byte[] {9, 8, 7, 6});
        try (Slice copied = SliverByteBufs.asSlice(foreign, counting)) {
            assertEquals(1, foreign.refCnt(), "small foreign direct memory is copied, not retained");
            assertEquals(1, counting.outstandingSegments());
            foreign.setByte(0, 42);
            assertEquals(9, copied.get(0), "a copy");
            assertTrue(foreign.release());
            assertArrayEquals(new byte[] {9, 8, 7, 6}, copied.toByteArray(), "the copy outlives Netty's memory");
        }
        assertEquals(0, counting.outstandingSegments());

        CompositeByteBuf composite = Unpooled.compositeBuffer();
        composite.addComponent(true, Unpooled.wrappedBuffer(new byte[] {1, 2}));
        composite.addComponent(true, Unpooled.wrappedBuffer(new byte[] {3}));
        try (Slice joined = SliverByteBufs.asSlice(composite, counting)) {
            assertArrayEquals(new byte[] {1, 2, 3}, joined.toByteArray(), "several components are copied into one block");
        }
        composite.release();
        assertEquals(0, counting.outstandingSegments());
    }

    @Test
    void slicesLongerThan2GiBAreRefusedClearly() throws Exception {
        java.nio.file.Path sparse = java.nio.file.Files.createTempFile("sparse", ".bin");
        try {
            try (var raf = new java.io.RandomAccessFile(sparse.toFile(), "rw")) {
                raf.setLength(3L << 30);
            }
            var arena = java.lang.foreign.Arena.ofShared();
            MemorySegment mapped;
            try (var ch = java.nio.channels.FileChannel.open(sparse)) {
                mapped = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, 3L << 30, arena);
            }
            try (Slice big = Slice.wrap(mapped, arena::close)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SliverByteBufs.wrap(big));
                assertTrue(e.getMessage().contains("2 GiB"), e.getMessage());
                assertEquals(1, big.refCount(), "nothing retained on failure");
            }
        } finally {
            java.nio.file.Files.delete(sparse);
        }
    }

    @Test
    void aWrappedSliceKeepsTheReadOnlyContractOnEveryMutatingCall(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (Slice s = slice(1, 2, 3, 4, 5, 6, 7, 8)) {
            ByteBuf buf = SliverByteBufs.wrap(s);
            assertTrue(buf.isReadOnly());
            assertSame(buf, buf.asReadOnly());
            assertTrue(buf.isContiguous());
            assertFalse(buf.isWritable());
            java.nio.channels.Pipe pipe = java.nio.channels.Pipe.open();
            try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(dir.resolve("f"),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
                List<org.junit.jupiter.api.function.Executable> writes = List.of(
                        () -> buf.setByte(0, 1), () -> buf.setShort(0, 1), () -> buf.setMedium(0, 1), () -> buf.setInt(0, 1),
                        () -> buf.setLong(0, 1), () -> buf.setIntLE(0, 1), () -> buf.setBytes(0, new byte[1]),
                        () -> buf.setBytes(0, ByteBuffer.allocate(1)), () -> buf.setBytes(0, Unpooled.buffer(1).writeByte(1)),
                        () -> buf.setBytes(0, new java.io.ByteArrayInputStream(new byte[1]), 1), () -> buf.setBytes(0, pipe.source(), 1),
                        () -> buf.setBytes(0, file, 0, 1), () -> buf.setZero(0, 1), () -> buf.setCharSequence(0, "x", java.nio.charset.StandardCharsets.US_ASCII),
                        () -> buf.writeByte(1), () -> buf.writeInt(1), () -> buf.writeBytes(new byte[1]), () -> buf.writeZero(1),
                        () -> buf.writeBytes(new java.io.ByteArrayInputStream(new byte[1]), 1), () -> buf.ensureWritable(1),
                        () -> buf.capacity(4), () -> buf.readerIndex(1).discardReadBytes());
                for (org.junit.jupiter.api.function.Executable write : writes) {
                    assertThrows(ReadOnlyBufferException.class, write);
                }
            }
            pipe.sink().close();
            pipe.source().close();
            assertEquals(0x0102030405060708L, buf.getLong(0), "nothing changed");
            assertEquals(8, buf.writerIndex());
            assertTrue(buf.release());
        }
        assertEquals(0, counting.outstandingSegments());
    }

    @Test
    void theAllocatorsMetricsTellTheTruth() {
        ThreadCachingAllocator own = ThreadCachingAllocator.builder().name("metric").build();
        try {
            SliverByteBufAllocator alloc = new SliverByteBufAllocator(own);
            assertEquals(0, alloc.metric().usedDirectMemory());
            ByteBuf direct = alloc.directBuffer(1000);
            assertEquals(1024, alloc.metric().usedDirectMemory(), "Sliver's bytes in use: the 1000 bytes' 1024-byte block");
            ByteBuf heap = alloc.heapBuffer(1 << 16);
            assertTrue(alloc.metric().usedHeapMemory() >= 1 << 16, "the heap pool's usage");
            direct.release();
            heap.release();
            assertEquals(0, alloc.metric().usedDirectMemory());
            assertSame(own, alloc.allocator());
        } finally {
            own.close();
        }
        assertSame(ThreadCachingAllocator.shared(), SliverByteBufAllocator.DEFAULT.allocator());
        ByteBuf preferred = SliverByteBufAllocator.DEFAULT.buffer(8);
        assertTrue(preferred.isDirect(), "buffer() prefers direct");
        assertTrue(preferred.release());
    }
}
