package dev.sliver.netty;

import dev.sliver.alloc.ThreadCachingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.LeakPresenceDetector;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;

/**
 * Run in a child JVM by {@link LeakPresenceTest} with Netty's deterministic
 * {@code LeakPresenceDetector} (the one Netty's own buffer tests use): buffers of
 * SliverByteBufAllocator go through the paths Netty users take, derived and wrapped buffers,
 * failing calls included, each released as the ByteBuf contract says; then the detector's
 * {@code check()} must find nothing still open.
 */
public final class LeakPresenceRun {
    private LeakPresenceRun() {
    }

    public static void main(String[] args) throws Exception {
        ByteBufAllocator alloc = new SliverByteBufAllocator(ThreadCachingAllocator.builder().build());
        for (int round = 0; round < 50; round++) {
            ByteBuf buf = alloc.directBuffer(16, 1 << 20);
            buf.writeLong(round).writeInt(7);
            buf.writeBytes(new byte[100]); // growth: a new block, the old one freed
            ByteBuf slice = buf.retainedSlice(0, 8);
            ByteBuf duplicate = buf.retainedDuplicate();
            ByteBuf readSlice = buf.readRetainedSlice(4);
            ByteBuf copy = buf.copy();
            ByteBuf readOnly = buf.asReadOnly().retain();
            try {
                buf.getBytes(0, ByteBuffer.allocate(8).asReadOnlyBuffer());
                throw new AssertionError("expected ReadOnlyBufferException");
            } catch (ReadOnlyBufferException expected) {
                // item 1 of the contract issue: fails before any byte moves, nothing to release
            }
            if (buf.writeBytes(new ByteArrayInputStream(new byte[0]), 4) != -1) {
                throw new AssertionError("expected -1 at the end of the stream");
            }
            buf.getBytes(0, new ByteArrayOutputStream(), 8);
            CompositeByteBuf composite = alloc.compositeDirectBuffer();
            composite.addComponent(true, alloc.directBuffer(4).writeInt(1));
            composite.addComponent(true, buf.retainedSlice(0, 4));
            ByteBuf heap = alloc.heapBuffer(64).writeLong(1);
            for (ByteBuf b : new ByteBuf[] {slice, duplicate, readSlice, copy, readOnly, composite, heap, buf}) {
                b.release();
            }
            if (buf.refCnt() != 0) {
                throw new AssertionError("refCnt " + buf.refCnt());
            }
        }
        LeakPresenceDetector.check(); // throws if a tracked buffer is still open
        System.out.println("ok: no buffer left open");
    }
}
