package dev.sliver.bench;

import dev.sliver.netty.SliverByteBufAllocator;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.openjdk.jmh.annotations.*;

import java.net.InetSocketAddress;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A loopback echo on Netty's NIO or native epoll transport, both ends on the allocator under
 * test: the client sends {@code size} bytes, the server writes back what it read, the client
 * waits for all of it. Sliver's buffers report {@code hasMemoryAddress() == false}; this measures
 * what that (and the allocator) costs a user on each transport, against Netty's pooled and
 * adaptive allocators, whose buffers expose an address. (On epoll a direct buffer without an
 * address is read and written through its {@code nioBuffer}, not copied:
 * {@code EpollTransportTest} in the netty module shows it.)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class EchoBench {
    @Param({"sliver", "nettyPooled", "nettyAdaptive"})
    public String allocator;

    @Param({"256", "16384"})
    public int size;

    @Param({"nio", "epoll"})
    public String transport;

    private EventLoopGroup group;
    private Channel server;
    private Channel client;
    private final Semaphore echoed = new Semaphore(0);
    private byte[] message;

    private ByteBufAllocator alloc() {
        return switch (allocator) {
            case "sliver" -> SliverByteBufAllocator.DEFAULT;
            case "nettyPooled" -> PooledByteBufAllocator.DEFAULT;
            case "nettyAdaptive" -> new AdaptiveByteBufAllocator();
            default -> throw new IllegalArgumentException(allocator);
        };
    }

    @Setup
    public void setUp() throws Exception {
        message = new byte[size];
        ByteBufAllocator alloc = alloc();
        boolean epoll = switch (transport) {
            case "nio" -> false;
            case "epoll" -> {
                Epoll.ensureAvailability(); // fails the trial, naming why, rather than measuring NIO under the epoll label
                yield true;
            }
            default -> throw new IllegalArgumentException(transport);
        };
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> serverChannel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Class<? extends Channel> clientChannel = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        group = new MultiThreadIoEventLoopGroup(2, io);
        server = new ServerBootstrap().group(group).channel(serverChannel)
                .childOption(ChannelOption.ALLOCATOR, alloc)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ctx.writeAndFlush(msg); // the received buffer goes straight back out
                            }
                        });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        client = new Bootstrap().group(group).channel(clientChannel)
                .option(ChannelOption.ALLOCATOR, alloc)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf in = (ByteBuf) msg;
                                int n = in.readableBytes();
                                in.release();
                                echoed.release(n);
                            }
                        });
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
    public void echo() throws InterruptedException {
        ByteBuf out = client.alloc().directBuffer(size).writeBytes(message);
        client.writeAndFlush(out);
        echoed.acquire(size);
    }
}
