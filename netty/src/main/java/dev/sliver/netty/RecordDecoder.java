package dev.sliver.netty;

import dev.sliver.codec.ReadOptions;
import dev.sliver.codec.RecordFormat;
import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import dev.sliver.core.MemoryAllocator;
import dev.sliver.core.Slice;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Turns a byte stream of records into {@link Batch}es: each record lands in one segment of the
 * configured allocator, and its blobs are views of it. The bytes are copied once, from the
 * receive buffers into that segment; no frame is accumulated first.
 *
 * <p>The codec's rules apply, at the earliest byte that allows them: {@code total_length} is
 * checked against {@link ReadOptions#maxRecordBytes()} before anything is allocated (a peer that
 * declares 2^63 bytes costs nothing), the count as soon as it arrives, every length as soon as
 * the table is complete. On a violation the partial record is freed, the reason is logged at
 * WARNING, a {@link CorruptRecordException} naming the remote address and stream offset is fired
 * down the pipeline, and the channel is closed.
 *
 * <p>A connection that ends inside a record (after some of its header or body) is an error too:
 * the partial record is freed and a {@link CorruptRecordException} ("truncated record", with the
 * stream offset where the bytes stopped) is fired before {@code channelInactive} goes on, so a
 * handler never mistakes a cut stream for a complete one. An end between records is clean.
 *
 * <p>Decoders can share a {@link RecordBudget}: a record is allocated only once its
 * {@code total_length} fits in the budget, else the connection is refused with an
 * {@link java.io.IOException} and closed.
 *
 * <p>The handler that receives a Batch owns it and must close it. One decoder per channel (it is
 * stateful); it runs on the channel's event loop.
 */
public final class RecordDecoder extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(RecordDecoder.class.getName());
    private static final int WORD = RecordFormat.WORD;

    private final MemoryAllocator allocator;
    private final long maxRecordBytes;
    private final RecordBudget budget;
    private final ByteBuffer header = ByteBuffer.allocate(WORD).order(ByteOrder.LITTLE_ENDIAN);
    /** The record after total_length, being filled; null between records. */
    private MemorySegment record;
    private long filled;
    private int count = -1;
    private boolean tableChecked;
    /** Stream offset of the current record's first byte, and of the next byte to read. */
    private long recordStart;
    private long offset;
    private boolean failed;

    /** Records from {@link ReadOptions#defaults()}: the shared allocator, at most 256 MiB each. */
    public RecordDecoder() {
        this(ReadOptions.defaults());
    }

    /**
     * Records from {@code options.allocator()}, at most {@code options.maxRecordBytes()} each.
     *
     * @param options the allocator and size cap for records
     */
    public RecordDecoder(ReadOptions options) {
        this(options, RecordBudget.unlimited());
    }

    /**
     * Like {@link #RecordDecoder(ReadOptions)}, with partial records reserved from {@code budget}.
     *
     * @param options the allocator and size cap for records
     * @param budget  the memory that partial records of every decoder sharing it may hold
     */
    public RecordDecoder(ReadOptions options, RecordBudget budget) {
        this.allocator = options.allocator();
        this.maxRecordBytes = options.maxRecordBytes();
        this.budget = java.util.Objects.requireNonNull(budget, "budget");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            while (in.isReadable() && !failed) {
                Batch batch = decode(ctx, in);
                if (batch != null) {
                    ctx.fireChannelRead(batch);
                }
            }
        } catch (CorruptRecordException | BudgetExhaustedException e) {
            fail(ctx, e);
        } catch (RuntimeException | OutOfMemoryError e) {
            // e.g. the allocator could not provide the record's memory: the stream position is
            // lost, so the connection cannot continue.
            failed = true;
            freePartial();
            ctx.fireExceptionCaught(e);
            ctx.close();
        } finally {
            in.release();
        }
    }

    /** Consumes bytes of {@code in}; returns a record when one completes. */
    private Batch decode(ChannelHandlerContext ctx, ByteBuf in) throws CorruptRecordException, BudgetExhaustedException {
        if (record == null) {
            int n = Math.min(header.remaining(), in.readableBytes());
            in.readBytes(header.array(), header.position(), n);
            header.position(header.position() + n);
            offset += n;
            if (header.hasRemaining()) {
                return null;
            }
            long total = header.getLong(0);
            header.clear();
            dev.sliver.codec.RecordHeader.checkTotal(total, maxRecordBytes, false, source(ctx), recordStart);
            if (!budget.tryReserve(total)) {
                throw new BudgetExhaustedException(source(ctx) + ": record of " + total + " bytes refused: the "
                        + budget.limit() + "-byte budget for records still arriving is used up, at byte " + recordStart);
            }
            try {
                record = allocator.allocate(total, WORD);
            } catch (RuntimeException | Error e) {
                budget.release(total);
                throw e;
            }
            filled = 0;
            count = -1;
            tableChecked = false;
        }
        int n = (int) Math.min(record.byteSize() - filled, in.readableBytes());
        in.readBytes(record.asSlice(filled, n).asByteBuffer());
        filled += n;
        offset += n;
        if (count < 0 && filled >= WORD) {
            count = dev.sliver.codec.RecordHeader.checkCount(record.get(RecordFormat.U64, 0), record.byteSize(), source(ctx), recordStart + WORD);
        }
        long tableEnd = WORD + (long) Math.max(count, 0) * WORD;
        if (count >= 0 && !tableChecked && filled >= tableEnd) {
            MemorySegment table = record.asSlice(WORD, tableEnd - WORD);
            RecordFormat.lengthsToEnds(table, table, count, record.byteSize() - tableEnd, source(ctx), recordStart + 2 * WORD);
            tableChecked = true;
        }
        if (filled < record.byteSize()) {
            return null;
        }
        MemorySegment done = record;
        record = null;
        budget.release(done.byteSize());
        recordStart = offset;
        MemoryAllocator freeTo = allocator; // a local: the release action holds the allocator, not the decoder
        return Batch.of(Slice.wrap(done.asSlice(tableEnd), () -> freeTo.free(done)), done.asSlice(WORD, tableEnd - WORD));
    }

    private void fail(ChannelHandlerContext ctx, java.io.IOException e) {
        failed = true;
        freePartial();
        LOG.log(System.Logger.Level.WARNING, "closing the connection: " + e.getMessage());
        ctx.fireExceptionCaught(e);
        ctx.close();
    }

    private void freePartial() {
        if (record != null) {
            MemorySegment partial = record;
            record = null;
            budget.release(partial.byteSize());
            allocator.free(partial);
        }
    }

    /** A record cut off by the end of the connection is freed and reported as truncated. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!failed && (record != null || header.position() > 0)) {
            long got = offset - recordStart;
            String expected = record != null ? (WORD + record.byteSize()) + " bytes" : "at least 16 bytes";
            failed = true;
            freePartial();
            ctx.fireExceptionCaught(new CorruptRecordException(source(ctx), offset, "truncated record: the connection "
                    + "closed after " + got + " of the " + expected + " of the record starting at byte " + recordStart));
        }
        freePartial();
        super.channelInactive(ctx);
    }

    /** Names the peer in errors: its address, or the channel when it has none. */
    private static String source(ChannelHandlerContext ctx) {
        Object remote = ctx.channel().remoteAddress();
        if (remote instanceof java.net.InetSocketAddress inet) {
            return inet.getHostString() + ":" + inet.getPort();
        }
        return remote != null ? remote.toString() : ctx.channel().toString();
    }

    /** The shared {@link RecordBudget} could not hold the next record. */
    private static final class BudgetExhaustedException extends java.io.IOException {
        private static final long serialVersionUID = 1L;

        BudgetExhaustedException(String message) {
            super(message);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        freePartial();
    }
}
