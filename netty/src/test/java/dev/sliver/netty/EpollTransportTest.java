package dev.sliver.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.unix.UnixChannelUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What Netty's native epoll transport does with Sliver's direct buffers, which have no memory
 * address ({@code hasMemoryAddress() == false}): it reads into them and writes from them through
 * their {@code nioBuffer}, without copying them into a buffer of its own. Runs where epoll loads
 * (Linux x86-64, what CI runs on); elsewhere it is skipped, naming why.
 */
class EpollTransportTest {
    private EventLoopGroup group;
    private Channel server;
    private Channel client;
    /** The class of every buffer the server's handler was given: where epoll's reads landed. */
    private final List<Class<?>> serverReads = new CopyOnWriteArrayList<>();
    private final BlockingQueue<byte[]> clientReads = new LinkedBlockingQueue<>();

    @BeforeAll
    static void epollLoads() {
        assumeTrue(Epoll.isAvailable(), () -> "no native epoll here: " + Epoll.unavailabilityCause());
    }

    @BeforeEach
    void echoServer() throws InterruptedException {
        SliverByteBufAllocator alloc = SliverByteBufAllocator.DEFAULT;
        group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.ALLOCATOR, alloc)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                serverReads.add(innermost((ByteBuf) msg).getClass());
                                ctx.writeAndFlush(msg); // the very buffer epoll read into goes back out
                            }
                        });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        client = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                .option(ChannelOption.ALLOCATOR, alloc)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf in = (ByteBuf) msg;
                                try {
                                    clientReads.add(ByteBufUtil.getBytes(in));
                                } finally {
                                    in.release();
                                }
                            }
                        });
                    }
                }).connect(server.localAddress()).sync().channel();
    }

    @AfterEach
    void close() throws InterruptedException {
        if (client != null) {
            client.close().sync();
        }
        if (server != null) {
            server.close().sync();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** The buffer under the tests' leak detector's wrapper, which is what epoll is handed. */
    private static ByteBuf innermost(ByteBuf buf) {
        while (buf.unwrap() != null) {
            buf = buf.unwrap();
        }
        return buf;
    }

    @Test
    void aSliverDirectBufferIsWrittenWithoutACopy() {
        ByteBuf buf = SliverByteBufAllocator.DEFAULT.directBuffer(1024).writeZero(1024);
        try {
            assertTrue(innermost(buf) instanceof SliverDirectByteBuf, innermost(buf).getClass().getName());
            assertFalse(buf.hasMemoryAddress(), "no raw address leaves Sliver");
            assertTrue(buf.isDirect());
            assertEquals(1, buf.nioBufferCount());
            // The test that epoll's filterOutboundMessage applies before writing a buffer: true would
            // mean a copy into a direct buffer of its own.
            assertFalse(UnixChannelUtil.isBufferCopyNeededForWrite(buf));
        } finally {
            buf.release();
        }
    }

    @Test
    void epollReadsIntoSliverBuffersAndEchoesThemIntact() throws Exception {
        Random random = new Random(20261203);
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        for (int i = 0; i < 50; i++) {
            byte[] message = new byte[1 + random.nextInt(64 * 1024)];
            random.nextBytes(message);
            sent.writeBytes(message);
            client.writeAndFlush(client.alloc().directBuffer(message.length).writeBytes(message)).sync();
        }
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        while (received.size() < sent.size()) {
            byte[] part = clientReads.poll(30, TimeUnit.SECONDS);
            assertNotNull(part, "echo stalled after " + received.size() + " of " + sent.size() + " bytes");
            received.writeBytes(part);
        }
        assertArrayEquals(sent.toByteArray(), received.toByteArray());
        assertFalse(serverReads.isEmpty());
        for (Class<?> read : serverReads) {
            assertEquals(SliverDirectByteBuf.class, read, "epoll read into a buffer that is not Sliver's");
        }
    }
}
