package dev.sliver.netty;

import dev.sliver.alloc.ThreadCachingAllocator;
import dev.sliver.codec.Codec;
import dev.sliver.codec.ReadOptions;
import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import dev.sliver.core.CountingAllocator;
import dev.sliver.core.Slice;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class RecordPipelineTest {
    private final CountingAllocator records = new CountingAllocator(ThreadCachingAllocator.shared());
    private final ReadOptions options = ReadOptions.defaults().withAllocator(records).withMaxRecordBytes(8 << 20);

    @BeforeAll
    static void leakDetection() {
        LeakCounter.install();
    }

    @AfterEach
    void everySegmentCameBack() {
        assertEquals(0, records.outstandingSegments(), "record segments outstanding");
    }

    private static byte[] serialize(List<byte[]> blobs) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Codec.serialize(blobs, Channels.newChannel(out));
        return out.toByteArray();
    }

    private static List<byte[]> arrays(Batch batch) {
        List<byte[]> out = new ArrayList<>();
        for (Slice s : batch) {
            out.add(s.toByteArray());
        }
        return out;
    }

    private static List<byte[]> randomBlobs(Random random, int maxBlob) {
        List<byte[]> blobs = new ArrayList<>();
        for (int i = random.nextInt(20); i > 0; i--) {
            byte[] b = new byte[random.nextInt(maxBlob)];
            random.nextBytes(b);
            blobs.add(b);
        }
        return blobs;
    }

    @Test
    void aRecordFedOneByteAtATimeDecodes() throws Exception {
        byte[] bytes = serialize(List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}, new byte[0]));
        EmbeddedChannel channel = new EmbeddedChannel(new RecordDecoder(options));
        for (byte b : bytes) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        Batch batch = channel.readInbound();
        List<byte[]> got = arrays(batch);
        assertArrayEquals(new byte[] {1, 2, 3}, got.get(0));
        assertArrayEquals(new byte[] {4, 5}, got.get(1));
        assertEquals(0, got.get(2).length);
        batch.close();
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void severalRecordsInOneBufferDecodeInOrder() throws Exception {
        byte[] one = serialize(List.of(new byte[] {1}));
        byte[] two = serialize(List.of(new byte[] {2, 2}, new byte[] {3}));
        ByteBuf both = Unpooled.wrappedBuffer(one, two, new byte[] {8, 0});
        EmbeddedChannel channel = new EmbeddedChannel(new RecordDecoder(options));
        channel.writeInbound(both);
        try (Batch first = channel.readInbound(); Batch second = channel.readInbound()) {
            assertEquals(1, first.size());
            assertEquals(2, second.size());
        }
        assertEquals(0, both.refCnt(), "the decoder releases what it consumed");
        int end = one.length + two.length;
        CorruptRecordException cut = assertThrows(CorruptRecordException.class, channel::finishAndReleaseAll,
                "the two bytes of a third record make the end of the stream a truncation");
        assertEquals("embedded: truncated record: the connection closed after 2 of the at least 16 bytes of the record "
                + "starting at byte " + end + " at byte " + (end + 2), cut.getMessage());
    }

    @Test
    void aHostileHeaderIsRejectedBeforeAnyAllocationAndTheChannelClosed() {
        ByteBuf hostile = Unpooled.buffer(16).writeLongLE(1L << 63).writeLongLE(1);
        EmbeddedChannel channel = new EmbeddedChannel(new RecordDecoder(options));
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> channel.writeInbound(hostile));
        assertTrue(e.getMessage().contains("exceeds the limit"), e.getMessage());
        assertEquals(0, e.offset());
        assertFalse(channel.isOpen());
        assertEquals(0, records.totalAllocations(), "nothing was allocated");
        assertEquals(0, hostile.refCnt());
    }

    @Test
    void corruptLengthsAreRejectedAsSoonAsTheTableArrives() {
        ByteBuf corrupt = Unpooled.buffer().writeLongLE(8 + 16 + 1000).writeLongLE(2).writeLongLE(5).writeLongLE(5);
        EmbeddedChannel channel = new EmbeddedChannel(new RecordDecoder(options));
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> channel.writeInbound(corrupt));
        assertTrue(e.getMessage().contains("lengths sum to 10"), e.getMessage());
        assertEquals(16, e.offset());
        assertFalse(channel.isOpen());
    }

    @Test
    void anAllocatorFailureClosesTheConnection() {
        dev.sliver.core.MemoryAllocator failing = new dev.sliver.core.MemoryAllocator() {
            @Override
            public java.lang.foreign.MemorySegment allocate(long byteSize, long alignment) {
                throw new OutOfMemoryError("test: no memory for " + byteSize + " bytes");
            }

            @Override
            public void free(java.lang.foreign.MemorySegment segment) {
                throw new AssertionError("nothing was allocated");
            }
        };
        EmbeddedChannel channel = new EmbeddedChannel(new RecordDecoder(options.withAllocator(failing)));
        ByteBuf record = Unpooled.buffer().writeLongLE(8).writeLongLE(0);
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> channel.writeInbound(record));
        assertEquals("test: no memory for 8 bytes", e.getMessage(), "the allocator's own error reaches the pipeline");
        assertFalse(channel.isOpen());
        assertEquals(0, record.refCnt());
    }

    @Test
    void aRecordCutByTheEndOfTheConnectionIsFreed() throws Exception {
        byte[] bytes = serialize(List.of(new byte[100]));
        EmbeddedChannel channel = new EmbeddedChannel(new RecordDecoder(options));
        channel.writeInbound(Unpooled.wrappedBuffer(bytes, 0, 50));
        assertEquals(1, records.outstandingSegments());
        channel.close();
        CorruptRecordException cut = assertThrows(CorruptRecordException.class, channel::checkException,
                "a stream cut inside a record is an error the pipeline sees, not a silent end");
        assertEquals(50, cut.offset());
        assertEquals("truncated record: the connection closed after 50 of the " + bytes.length
                + " bytes of the record starting at byte 0", cut.reason());
        assertNull(channel.readInbound());
        assertEquals(0, records.outstandingSegments(), "the partial record was freed");
    }

    @Test
    void anEndBetweenRecordsIsClean() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(new RecordDecoder(options));
        channel.writeInbound(Unpooled.wrappedBuffer(serialize(List.of(new byte[] {1}))));
        ((Batch) channel.readInbound()).close();
        assertFalse(channel.finish(), "no exception, nothing left");
    }

    @Test
    void aSharedBudgetRefusesRecordsThatDoNotFitAndIsGivenBackWhenTheyComplete() throws Exception {
        RecordBudget budget = new RecordBudget(1000);
        EmbeddedChannel slow = new EmbeddedChannel(new RecordDecoder(options, budget));
        EmbeddedChannel second = new EmbeddedChannel(new RecordDecoder(options, budget));
        byte[] big = serialize(List.of(new byte[600]));
        slow.writeInbound(Unpooled.wrappedBuffer(big, 0, 100)); // 616 bytes reserved while it trickles in
        assertEquals(big.length - 8, budget.reserved());
        java.io.IOException refused = assertThrows(java.io.IOException.class,
                () -> second.writeInbound(Unpooled.wrappedBuffer(big)));
        assertTrue(refused.getMessage().contains("record of 616 bytes refused: the 1000-byte budget"), refused.getMessage());
        assertFalse(second.isOpen());
        slow.writeInbound(Unpooled.wrappedBuffer(big, 100, big.length - 100));
        ((Batch) slow.readInbound()).close();
        assertEquals(0, budget.reserved(), "a complete record no longer counts against the budget");
        slow.writeInbound(Unpooled.wrappedBuffer(big, 0, 30));
        slow.close();
        assertThrows(CorruptRecordException.class, slow::checkException);
        assertEquals(0, budget.reserved(), "a dropped partial record gives its reservation back");
        assertEquals(0, records.outstandingSegments());
    }

    @Test
    void theEncoderWritesExactlyTheCodecBytesWithoutCopyingPayloads() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(RecordEncoder.INSTANCE);
        Slice a = Slice.copyOf(new byte[] {1, 2, 3}, records);
        Slice b = Slice.copyOf(new byte[] {4, 5}, records);
        channel.writeOutbound(List.of(a, b));
        ByteBuf out = channel.readOutbound();
        List<Long> addresses = new ArrayList<>();
        for (java.nio.ByteBuffer part : out.nioBuffers()) {
            addresses.add(java.lang.foreign.MemorySegment.ofBuffer(part).address());
        }
        assertTrue(addresses.contains(a.asSegment().address()) && addresses.contains(b.asSegment().address()),
                "the payloads go out as the slices' own memory, not copies: " + addresses);
        byte[] wire = new byte[out.readableBytes()];
        out.readBytes(wire);
        assertArrayEquals(serialize(List.of(new byte[] {1, 2, 3}, new byte[] {4, 5})), wire);
        assertEquals(2, records.outstandingSegments(), "payloads are still referenced by the composite");
        out.release();
        channel.writeOutbound(List.of(Unpooled.wrappedBuffer(new byte[] {7})));
        ByteBuf out2 = channel.readOutbound();
        assertEquals(8 + 8 + 8 + 1, out2.readableBytes());
        out2.release();
        channel.writeOutbound(List.of());
        ByteBuf empty = channel.readOutbound();
        assertEquals(16, empty.readableBytes(), "an empty list is the empty record");
        empty.release();
        assertFalse(channel.finish());
    }

    /** A pipeline speaking records: encoder, decoder, then a new {@code last} handler per channel. */
    private ChannelInitializer<SocketChannel> records(java.util.function.Supplier<ChannelInboundHandlerAdapter> last) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(RecordEncoder.INSTANCE, new RecordDecoder(options), last.get());
            }
        };
    }

    /** A real server and client on loopback, both on SliverByteBufAllocator: records echo back intact. */
    @Test
    void recordsCrossARealConnection() throws Exception {
        ThreadCachingAllocator netAllocator = ThreadCachingAllocator.builder().name("pipeline-test").build();
        SliverByteBufAllocator alloc = new SliverByteBufAllocator(netAllocator);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.ALLOCATOR, alloc)
                    .childHandler(records(() -> new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ctx.writeAndFlush(msg); // echo: the encoder closes the batch
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            received.add(cause);
                        }
                    })).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.ALLOCATOR, alloc)
                    .handler(records(() -> new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            try (Batch batch = (Batch) msg) {
                                received.add(arrays(batch));
                            }
                        }
                    })).connect("127.0.0.1", port).sync().channel();

            Random random = new Random(11);
            List<List<byte[]>> sent = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                List<byte[]> blobs = randomBlobs(random, i % 50 == 0 ? 300_000 : 2000);
                sent.add(blobs);
                List<ByteBuf> bufs = new ArrayList<>();
                blobs.forEach(b -> bufs.add(alloc.directBuffer(b.length).writeBytes(b)));
                client.write(bufs);
            }
            client.flush();
            // One record split into 7-byte writes, each flushed: it crosses many TCP reads.
            List<byte[]> splitBlobs = randomBlobs(random, 5000);
            sent.add(splitBlobs);
            byte[] wire = serialize(splitBlobs);
            for (int at = 0; at < wire.length; at += 7) {
                client.writeAndFlush(Unpooled.wrappedBuffer(wire, at, Math.min(7, wire.length - at))).sync();
            }
            for (List<byte[]> expected : sent) {
                Object got = received.poll(10, TimeUnit.SECONDS);
                assertNotNull(got, "a record did not come back");
                @SuppressWarnings("unchecked")
                List<byte[]> blobs = (List<byte[]>) got;
                assertEquals(expected.size(), blobs.size());
                for (int i = 0; i < blobs.size(); i++) {
                    assertArrayEquals(expected.get(i), blobs.get(i));
                }
            }

            // A malicious header: the server closes that connection, and only that one.
            Channel attacker = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter()).connect("127.0.0.1", port).sync().channel();
            attacker.writeAndFlush(Unpooled.buffer(16).writeLongLE(-1L).writeLongLE(1)).sync();
            assertTrue(attacker.closeFuture().await(10, TimeUnit.SECONDS), "the server closed the attacker");
            Object cause = received.poll(10, TimeUnit.SECONDS);
            assertInstanceOf(CorruptRecordException.class, cause);
            assertTrue(client.isActive(), "other connections are unaffected");

            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        assertEquals(0, netAllocator.stats().bytesInUse(), "every ByteBuf went back to Sliver");
        assertEquals(0, LeakCounter.settle(alloc), "Netty's paranoid leak detector found leaks");
        netAllocator.close();
    }

    @Test
    void theLeakDetectorSeesSliverBuffersThatAreNeverReleased() throws Exception {
        SliverByteBufAllocator alloc = new SliverByteBufAllocator(ThreadCachingAllocator.shared());
        int before = LeakCounter.LEAKS.get();
        leak(alloc);
        for (int i = 0; i < 50 && LeakCounter.LEAKS.get() == before; i++) {
            LeakCounter.settle(alloc);
        }
        assertTrue(LeakCounter.LEAKS.get() > before, "a dropped buffer is reported");
        LeakCounter.LEAKS.set(before);
    }

    private static void leak(SliverByteBufAllocator alloc) {
        alloc.directBuffer(64).writeLong(1); // never released
    }

    static {
        // Keep ByteBuffer/ByteOrder imports honest for readers: the wire format is little-endian.
        assert ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1).get(0) == 1;
    }

    @Test
    void aListThatFailsHalfWayIsReleasedWholeExactlyOnce() {
        EmbeddedChannel channel = new EmbeddedChannel(RecordEncoder.INSTANCE);
        Slice first = Slice.copyOf(new byte[] {1}, records);
        Slice dead = Slice.copyOf(new byte[] {2}, records);
        dead.release();
        Slice last = Slice.copyOf(new byte[] {3}, records);
        ByteBuf buf = Unpooled.directBuffer(1).writeByte(4);
        assertThrows(IllegalStateException.class, () -> channel.writeOutbound(List.of(first, buf, dead, last)));
        assertEquals(0, records.outstandingSegments(), "the wrapped first slice and the untouched last one are freed");
        assertEquals(0, buf.refCnt());
        assertFalse(first.isAlive());
        assertFalse(last.isAlive());
        channel.finishAndReleaseAll();
    }
}
