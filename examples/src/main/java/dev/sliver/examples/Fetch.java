package dev.sliver.examples;

import dev.sliver.codec.Codec;
import dev.sliver.codec.ReadOptions;
import dev.sliver.core.Batch;
import dev.sliver.core.Slice;
import dev.sliver.netty.RecordDecoder;
import dev.sliver.netty.RecordEncoder;
import dev.sliver.netty.SliverByteBufAllocator;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code sliver fetch HOST:PORT NAME OUT.strg}: asks a {@code sliver serve} for a file and writes
 * the records it receives, each decoded into one Sliver segment and validated, to OUT. OUT is
 * replaced only once the whole file arrived.
 */
final class Fetch {
    /** Records fetched may be as large as files hold; 1 GiB each at most. */
    private static final long MAX_RECORD_BYTES = 1L << 30;

    private Fetch() {
    }

    static void run(List<String> args, PrintStream out) throws Exception {
        if (args.size() != 3) {
            throw new UsageException("fetch needs HOST:PORT NAME OUT.strg");
        }
        String[] hostPort = args.get(0).split(":");
        if (hostPort.length != 2) {
            throw new UsageException("expected HOST:PORT, got '" + args.get(0) + "'");
        }
        int port;
        try {
            port = Integer.parseInt(hostPort[1]);
        } catch (NumberFormatException e) {
            throw new UsageException("expected a port number, got '" + hostPort[1] + "'");
        }
        Path target = Path.of(args.get(2));
        long[] counts = fetch(hostPort[0], port, args.get(1), target);
        out.println("fetched " + counts[0] + " records (" + counts[1] + " bytes) into " + target);
    }

    /** Returns {records, bytes written}. */
    static long[] fetch(String host, int port, String name, Path target) throws Exception {
        Path temp = Files.createTempFile(target.toAbsolutePath().getParent(), target.getFileName().toString(), ".part");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (FileChannel file = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            Receiver receiver = new Receiver(file, host + ":" + port);
            ReadOptions options = ReadOptions.defaults().withMaxRecordBytes(MAX_RECORD_BYTES);
            Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.ALLOCATOR, SliverByteBufAllocator.DEFAULT)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(RecordEncoder.INSTANCE, new RecordDecoder(options), receiver);
                        }
                    }).connect(host, port).sync().channel();
            channel.writeAndFlush(List.of(Slice.copyOf(name.getBytes(StandardCharsets.UTF_8),
                    SliverByteBufAllocator.DEFAULT.memory())));
            channel.closeFuture().sync();
            if (receiver.failure != null) {
                throw receiver.failure;
            }
            if (!receiver.ok) {
                throw new IOException(host + ":" + port + ": the server closed the connection without an answer");
            }
            file.force(false);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new long[] {receiver.records, receiver.bytes};
        } finally {
            Files.deleteIfExists(temp);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** The status record first, then every record of the file, appended to {@code file} as received. */
    private static final class Receiver extends ChannelInboundHandlerAdapter {
        private final FileChannel file;
        private final String server;
        boolean ok;
        long records;
        long bytes;
        Exception failure;

        Receiver(FileChannel file, String server) {
            this.file = file;
            this.server = server;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try (Batch batch = (Batch) msg) {
                if (!ok) {
                    String status = batch.size() == 0 ? "" : text(batch.get(0));
                    if (!status.equals("OK")) {
                        failure = new IOException(server + ": " + (batch.size() > 1 ? text(batch.get(1)) : "refused"));
                        ctx.close();
                        return;
                    }
                    ok = true;
                    return;
                }
                bytes += Codec.serializeSlices(batch, file);
                records++;
            } catch (IOException e) {
                failure = e;
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failure = cause instanceof Exception e ? e : new IOException(cause);
            ctx.close();
        }

        private static String text(Slice blob) {
            return new String(blob.toByteArray(), StandardCharsets.UTF_8);
        }
    }
}
