package dev.sliver.examples;

import dev.sliver.netty.RecordDecoder;
import dev.sliver.netty.RecordEncoder;
import dev.sliver.netty.SliverByteBufAllocator;
import dev.sliver.core.Batch;
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
import dev.sliver.core.Slice;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sliver serve DIR [--port N]}: serves the {@code .strg} files of DIR over TCP.
 *
 * <p>Protocol: the client sends one record whose first blob is a file name (UTF-8, a plain name
 * inside DIR). The server answers with a status record, {@code ["OK"]} or {@code ["ERR", reason]},
 * then, if OK, the file's bytes as they are (its records, sent with {@code sendfile}, no copy),
 * and closes the connection. Runs on {@link SliverByteBufAllocator}.
 */
final class Serve implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    private final Channel server;
    private final Path dir;

    Serve(Path dir, int port) throws InterruptedException {
        this.dir = dir;
        this.server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.ALLOCATOR, SliverByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(RecordEncoder.INSTANCE, new RecordDecoder(), new Handler());
                    }
                }).bind(new InetSocketAddress(port)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Runs {@code serve} from the command line until the process is killed. */
    static void run(List<String> args, PrintStream out) throws Exception {
        List<String> rest = new ArrayList<>(args);
        int port = 7070;
        int flag = rest.indexOf("--port");
        if (flag >= 0) {
            if (flag + 1 >= rest.size()) {
                throw new UsageException("--port needs a number");
            }
            try {
                port = Integer.parseInt(rest.get(flag + 1));
            } catch (NumberFormatException e) {
                throw new UsageException("--port needs a number, not '" + rest.get(flag + 1) + "'");
            }
            rest.subList(flag, flag + 2).clear();
        }
        if (rest.size() != 1) {
            throw new UsageException("serve needs DIR");
        }
        Path dir = Path.of(rest.getFirst());
        if (!Files.isDirectory(dir)) {
            throw new java.nio.file.NoSuchFileException(dir.toString(), null, "not a directory");
        }
        try (Serve serve = new Serve(dir, port)) {
            out.println("serving " + dir + " on port " + serve.port());
            out.flush();
            serve.server.closeFuture().sync();
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            String name;
            try (Batch request = (Batch) msg) {
                name = request.size() == 0 ? "" : new String(request.get(0).toByteArray(), StandardCharsets.UTF_8);
            }
            Path file = dir.resolve(name).normalize();
            String problem = name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")
                    ? "invalid name '" + name + "'"
                    : !Files.isRegularFile(file) ? "no such file '" + name + "'" : null;
            if (problem != null) {
                ctx.writeAndFlush(status("ERR", problem)).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            try {
                FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                ctx.write(status("OK"));
                ctx.writeAndFlush(new DefaultFileRegion(channel, 0, channel.size())).addListener(ChannelFutureListener.CLOSE);
            } catch (IOException e) {
                ctx.writeAndFlush(status("ERR", e.toString())).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // RecordDecoder already logged a bad request; anything else ends the connection too
        }

        private static List<Slice> status(String... parts) {
            List<Slice> blobs = new ArrayList<>();
            for (String part : parts) {
                blobs.add(Slice.copyOf(part.getBytes(StandardCharsets.UTF_8), SliverByteBufAllocator.DEFAULT.memory()));
            }
            return blobs;
        }
    }
}
