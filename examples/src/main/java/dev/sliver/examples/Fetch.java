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
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.ReadTimeoutHandler;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code sliver fetch [--timeout S] HOST:PORT NAME OUT.strg}: asks a {@code sliver serve} for a
 * file and writes the records it receives, each decoded into one Sliver segment and validated, to
 * OUT. OUT is replaced only once the whole file arrived: a connection cut inside a record, a
 * corrupt record, an error reply, a server silent for the timeout (30 s by default) or an
 * interruption leaves OUT as it was and no temporary file.
 */
final class Fetch {
    /** Records fetched may be as large as files hold; 1 GiB each at most. */
    private static final long MAX_RECORD_BYTES = 1L << 30;

    private Fetch() {
    }

    static int run(Args args, PrintStream out) throws Exception {
        List<String> operands = args.operands(3, 3, "HOST:PORT NAME OUT.strg");
        String address = operands.get(0);
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new UsageException("fetch: expected HOST:PORT, got '" + address + "'");
        }
        String host = address.substring(0, colon).replaceAll("^\\[(.*)]$", "$1");
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new UsageException("fetch: expected a port from 1 to 65535, got '" + address.substring(colon + 1) + "'");
        }
        Duration timeout = Duration.ofSeconds(args.intValue("--timeout", Serve.DEFAULT_TIMEOUT_SECONDS, 1, 86_400));
        Path target = Path.of(operands.get(2));
        long[] counts = fetch(host, port, operands.get(1), target, timeout);
        out.println("fetched " + counts[0] + " records (" + counts[1] + " bytes) into " + target);
        return 0;
    }

    /** With the default timeout; returns {records, bytes written}. */
    static long[] fetch(String host, int port, String name, Path target) throws Exception {
        return fetch(host, port, name, target, Duration.ofSeconds(Serve.DEFAULT_TIMEOUT_SECONDS));
    }

    /** Returns {records, bytes written}. */
    static long[] fetch(String host, int port, String name, Path target, Duration timeout) throws Exception {
        String server = host + ":" + port;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (AtomicReplace replace = AtomicReplace.create(target)) {
            Receiver receiver = new Receiver(replace.channel(), server, target, timeout);
            ReadOptions options = ReadOptions.defaults().withAllocator(SliverByteBufAllocator.DEFAULT.allocator())
                    .withMaxRecordBytes(MAX_RECORD_BYTES);
            ChannelFuture connect = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.ALLOCATOR, SliverByteBufAllocator.DEFAULT)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ReadTimeoutHandler(timeout.toMillis(), TimeUnit.MILLISECONDS),
                                    RecordEncoder.INSTANCE, new RecordDecoder(options), receiver);
                        }
                    }).connect(host, port).await();
            if (!connect.isSuccess()) {
                Throwable cause = connect.cause();
                throw new IOException(server + ": cannot connect: " + (cause.getMessage() != null
                        ? cause.getMessage().replaceFirst(": .*$", "").toLowerCase(java.util.Locale.ROOT) : cause.toString()), cause);
            }
            Channel channel = connect.channel();
            channel.writeAndFlush(List.of(Slice.copyOf(name.getBytes(StandardCharsets.UTF_8),
                    SliverByteBufAllocator.DEFAULT.allocator())));
            // Not closeFuture(): it completes before channelInactive has run through the pipeline,
            // where the decoder reports a record cut off by the close.
            receiver.finished.get();
            if (receiver.failure != null) {
                throw receiver.failure;
            }
            if (!receiver.ok) {
                throw new IOException(server + ": the server closed the connection without an answer");
            }
            replace.commit();
            dev.sliver.codec.RecordFiles.index(target); // checksums of what arrived, for 'sliver verify'
            return new long[] {receiver.records, receiver.bytes};
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** The status record first, then every record of the file, appended to {@code file} as received. */
    private static final class Receiver extends ChannelInboundHandlerAdapter {
        private final FileChannel file;
        private final String server;
        private final Path target;
        private final Duration timeout;
        final java.util.concurrent.CompletableFuture<Void> finished = new java.util.concurrent.CompletableFuture<>();
        boolean ok;
        long records;
        long bytes;
        Exception failure;

        Receiver(FileChannel file, String server, Path target, Duration timeout) {
            this.file = file;
            this.server = server;
            this.target = target;
            this.timeout = timeout;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try (Batch batch = (Batch) msg) {
                if (failure != null) {
                    return;
                }
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
                try {
                    bytes += Codec.serializeSlices(batch, file);
                } catch (IOException e) {
                    throw AtomicReplace.onTarget(target, e);
                }
                records++;
            } catch (IOException e) {
                failure = e;
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            finished.complete(null); // after every read and the decoder's last word
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (failure == null) {
                failure = cause instanceof ReadTimeoutException
                        ? new IOException(server + ": no data for " + timeout.toSeconds() + " s (--timeout)")
                        : cause instanceof Exception e ? e : new IOException(cause);
            }
            ctx.close();
        }

        /** A peer's text, with control characters escaped so that it cannot forge terminal output. */
        private static String text(Slice blob) {
            return Main.printable(new String(blob.toByteArray(), StandardCharsets.UTF_8));
        }
    }
}
