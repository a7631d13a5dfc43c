package dev.sliver.bench;

import dev.sliver.codec.Codec;
import dev.sliver.core.Batch;
import dev.sliver.netty.RecordDecoder;
import dev.sliver.netty.SliverByteBufAllocator;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import org.openjdk.jmh.annotations.*;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Receiving records over a loopback TCP connection. Each operation asks the server for a burst of
 * {@value #RECORDS} records of {@code blobs} blobs of 100 bytes and waits until the client has
 * decoded them all, either with Sliver's {@link RecordDecoder} (one segment per record, blobs as
 * views) on {@link SliverByteBufAllocator}, or with Netty's {@link LengthFieldBasedFrameDecoder}
 * on its pooled allocator, copying every blob into a {@code byte[]} (what a copying reader does).
 * Scores are per burst; divide by {@value #RECORDS} for a record.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class NettyDecodeBench {
    static final int RECORDS = 64;

    @Param({"sliver", "lengthField"})
    public String decoder;

    @Param({"100", "1000"})
    public int blobs;

    private EventLoopGroup group;
    private Channel server;
    private Channel client;
    private final Semaphore decoded = new Semaphore(0);
    private volatile Object sink;

    @Setup
    public void setUp() throws Exception {
        List<byte[]> record = new ArrayList<>();
        for (int i = 0; i < blobs; i++) {
            record.add(new byte[100]);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int r = 0; r < RECORDS; r++) {
            Codec.serialize(record, Channels.newChannel(out));
        }
        ByteBuf burst = Unpooled.unreleasableBuffer(Unpooled.directBuffer(out.size()).writeBytes(out.toByteArray()));
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ((ByteBuf) msg).release(); // one byte: "send a burst"
                                ctx.writeAndFlush(burst.duplicate());
                            }
                        });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        boolean sliver = decoder.equals("sliver");
        client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.ALLOCATOR, sliver ? SliverByteBufAllocator.DEFAULT : PooledByteBufAllocator.DEFAULT)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (sliver) {
                            ch.pipeline().addLast(new RecordDecoder(), new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    try (Batch batch = (Batch) msg) {
                                        sink = batch.get(batch.size() - 1);
                                    }
                                    decoded.release();
                                }
                            });
                        } else {
                            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(ByteOrder.LITTLE_ENDIAN,
                                    Integer.MAX_VALUE, 0, 8, 0, 8, true), new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ByteBuf frame = (ByteBuf) msg;
                                    try {
                                        int count = (int) frame.getLongLE(0);
                                        int at = 8 + 8 * count;
                                        List<byte[]> copies = new ArrayList<>(count);
                                        for (int i = 0; i < count; i++) {
                                            byte[] blob = new byte[(int) frame.getLongLE(8 + 8 * i)];
                                            frame.getBytes(at, blob);
                                            at += blob.length;
                                            copies.add(blob);
                                        }
                                        sink = copies;
                                    } finally {
                                        frame.release();
                                    }
                                    decoded.release();
                                }
                            });
                        }
                    }
                }).connect(server.localAddress()).sync().channel();
    }

    @TearDown
    public void tearDown() throws InterruptedException {
        client.close().sync();
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Benchmark
    public void burst() throws InterruptedException {
        client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
        decoded.acquire(RECORDS);
    }
}
