package dev.sliver.examples;

import dev.sliver.codec.ReadOptions;
import dev.sliver.core.Batch;
import dev.sliver.core.Slice;
import dev.sliver.netty.RecordBudget;
import dev.sliver.netty.RecordDecoder;
import dev.sliver.netty.RecordEncoder;
import dev.sliver.netty.SliverByteBufAllocator;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code sliver serve [--bind ADDR] [--port N] [--timeout S] DIR}: serves the {@code .strg} files
 * of DIR over TCP.
 *
 * <p>Protocol: the client sends one record whose first blob is a file name (UTF-8). The server
 * answers with a status record, {@code ["OK"]} or {@code ["ERR", reason]}, then, if OK, the file's
 * bytes as they are (its records, sent with {@code sendfile}, no copy), and closes the connection.
 *
 * <p>What a hostile client cannot do: reach a file outside DIR (only plain names of regular
 * {@code .strg} files directly in DIR are served, opened without following symbolic links), hold
 * memory (a request is at most 4 KiB, and all requests still arriving share a 1 MiB budget), or
 * hold a connection (one that makes no progress for the timeout, 30 s by default, is closed). It
 * listens on 127.0.0.1 unless {@code --bind} says otherwise. Runs on {@link SliverByteBufAllocator}.
 */
final class Serve implements AutoCloseable {
    static final int DEFAULT_PORT = 7070;
    static final int DEFAULT_TIMEOUT_SECONDS = 30;
    private static final long MAX_REQUEST_BYTES = 4096;
    private static final long REQUEST_BUDGET_BYTES = 1 << 20;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    private final Channel server;
    private final Path dir;

    Serve(Path dir, InetAddress bind, int port, Duration timeout) throws InterruptedException {
        this.dir = dir;
        ReadOptions requests = ReadOptions.defaults().withAllocator(SliverByteBufAllocator.DEFAULT.allocator())
                .withMaxRecordBytes(MAX_REQUEST_BYTES);
        RecordBudget budget = new RecordBudget(REQUEST_BUDGET_BYTES);
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.ALLOCATOR, SliverByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new IdleStateHandler(true, 0, 0, timeout.toMillis(), TimeUnit.MILLISECONDS),
                                RecordEncoder.INSTANCE, new RecordDecoder(requests, budget), new Handler());
                    }
                });
        try {
            this.server = bootstrap.bind(new InetSocketAddress(bind, port)).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** A server for tests: loopback, any free port, the default timeout. */
    Serve(Path dir, int port) throws InterruptedException {
        this(dir, InetAddress.getLoopbackAddress(), port, Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS));
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Runs {@code serve} from the command line until the process is killed. */
    static int run(Args args, PrintStream out) throws Exception {
        Path dir = Path.of(args.operands(1, 1, "DIR").getFirst());
        int port = args.intValue("--port", DEFAULT_PORT, 0, 65535);
        int timeout = args.intValue("--timeout", DEFAULT_TIMEOUT_SECONDS, 1, 86_400);
        InetAddress bind;
        try {
            bind = InetAddress.getByName(args.value("--bind", "127.0.0.1"));
        } catch (UnknownHostException e) {
            throw new UsageException("serve: --bind needs an address, not '" + args.value("--bind", "") + "'");
        }
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not a directory");
        }
        try (Serve serve = new Serve(dir, bind, port, Duration.ofSeconds(timeout))) {
            out.println("serving " + dir + " on " + bind.getHostAddress() + ":" + serve.port());
            out.flush();
            serve.server.closeFuture().sync();
        }
        return 0;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Why {@code name} is not served, or null if it may be: a plain name of a .strg file, printable. */
    static String invalidName(String name) {
        if (name.isEmpty()) {
            return "empty file name";
        }
        if (name.codePoints().anyMatch(Character::isISOControl)) {
            return "invalid name '" + Main.printable(name) + "': control characters";
        }
        if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            return "invalid name '" + name + "': only plain file names inside the served directory";
        }
        if (!name.endsWith(".strg")) {
            return "invalid name '" + name + "': only .strg files are served";
        }
        return null;
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            String name;
            try (Batch request = (Batch) msg) {
                name = request.size() == 0 ? "" : new String(request.get(0).toByteArray(), StandardCharsets.UTF_8);
            }
            String problem = invalidName(name);
            if (problem != null) {
                refuse(ctx, problem);
                return;
            }
            Path file = dir.resolve(name);
            FileChannel channel;
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!attributes.isRegularFile()) {
                    refuse(ctx, "no such file '" + name + "'"); // a link, a directory, a device: not served
                    return;
                }
                channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                refuse(ctx, "no such file '" + name + "'");
                return;
            } catch (IOException e) {
                refuse(ctx, "cannot open '" + name + "': " + Main.describe(e).replace(file.toString() + ": ", ""));
                return;
            }
            try {
                ctx.write(status("OK"));
                ctx.writeAndFlush(new DefaultFileRegion(channel, 0, channel.size())).addListener(ChannelFutureListener.CLOSE);
            } catch (IOException e) {
                refuse(ctx, "cannot read '" + name + "'");
            }
        }

        private void refuse(ChannelHandlerContext ctx, String reason) {
            ctx.writeAndFlush(status("ERR", reason)).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent) {
                ctx.close(); // no progress either way for the timeout: a silent or stalled client
            } else {
                ctx.fireUserEventTriggered(event);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a bad request (the decoder said why) or a broken connection
        }

        private static List<Slice> status(String... parts) {
            List<Slice> blobs = new ArrayList<>();
            for (String part : parts) {
                blobs.add(Slice.copyOf(part.getBytes(StandardCharsets.UTF_8), SliverByteBufAllocator.DEFAULT.allocator()));
            }
            return blobs;
        }
    }
}
