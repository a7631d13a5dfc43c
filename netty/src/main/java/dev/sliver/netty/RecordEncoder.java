package dev.sliver.netty;

import dev.sliver.codec.RecordFormat;
import dev.sliver.core.Batch;
import dev.sliver.core.Slice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes records: a {@link Batch}, a {@code List<Slice>} or a {@code List<ByteBuf>} written to the
 * channel goes out as one record. The header is a small buffer; the payloads are the blobs'
 * own memory, gathered in a {@link CompositeByteBuf}, never copied.
 *
 * <p>As usual in Netty, the encoder owns what it is given: it closes the batch, releases the
 * slices (the ByteBuf views keep their own references until the write completes) and the
 * ByteBufs. Other messages pass through. Stateless and {@link ChannelHandler.Sharable}.
 */
@ChannelHandler.Sharable
public final class RecordEncoder extends ChannelOutboundHandlerAdapter {
    /** A shared instance. */
    public static final RecordEncoder INSTANCE = new RecordEncoder();

    /** Prefer {@link #INSTANCE}. */
    public RecordEncoder() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        List<ByteBuf> payloads;
        if (msg instanceof Batch batch) {
            payloads = new ArrayList<>(batch.size());
            try {
                for (Slice blob : batch) {
                    payloads.add(SliverByteBufs.wrap(blob, ctx.alloc()));
                }
            } catch (RuntimeException e) {
                payloads.forEach(ByteBuf::release);
                throw e;
            } finally {
                batch.close();
            }
        } else if (msg instanceof List<?> list && list.stream().allMatch(b -> b instanceof Slice || b instanceof ByteBuf)) {
            payloads = new ArrayList<>(list.size());
            int taken = 0; // list items whose reference now sits in payloads
            try {
                for (Object blob : list) {
                    switch (blob) {
                        case ByteBuf buf -> payloads.add(buf);
                        case Slice slice -> {
                            payloads.add(SliverByteBufs.wrap(slice, ctx.alloc()));
                            slice.release(); // the wrapper holds its own reference
                        }
                        default -> throw new AssertionError(blob); // excluded by the allMatch above
                    }
                    taken++;
                }
            } catch (RuntimeException e) {
                // We own everything we were given: what was taken is released through payloads,
                // the rest (from the item that failed on) directly, each exactly once.
                payloads.forEach(ReferenceCountUtil::safeRelease);
                for (Object rest : list.subList(taken, list.size())) {
                    release(rest);
                }
                throw e;
            }
        } else {
            ctx.write(msg, promise);
            return;
        }
        ctx.write(encode(ctx, payloads), promise);
    }

    private static void release(Object blob) {
        try {
            if (blob instanceof Slice slice) {
                slice.release();
            } else {
                ReferenceCountUtil.release(blob);
            }
        } catch (RuntimeException alreadyReleased) {
            // a dead slice (the cause of the failure, typically) has nothing left to give back
        }
    }

    private static ByteBuf encode(ChannelHandlerContext ctx, List<ByteBuf> payloads) {
        int headerBytes = RecordFormat.headerBytes(payloads.size());
        ByteBuf header = ctx.alloc().buffer(headerBytes, headerBytes);
        RecordFormat.writeHeader(header.nioBuffer(0, headerBytes), payloads.size(), i -> payloads.get(i).readableBytes());
        header.writerIndex(headerBytes);
        CompositeByteBuf out = ctx.alloc().compositeDirectBuffer(payloads.size() + 1);
        out.addComponent(true, header);
        for (ByteBuf payload : payloads) {
            out.addComponent(true, payload);
        }
        return out;
    }
}
