package dev.sliver.netty;

import dev.sliver.core.Slice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Run in a child JVM by {@link ForeignSliceSafetyTest}: slices of Netty-owned direct memory are
 * read after their last release, and read by one thread while another releases them. Before the
 * fix each of these died with SIGSEGV; now every such read must throw or see stale bytes, and the
 * JVM must reach the end and print {@code ok}.
 */
public final class ForeignSliceAbuse {
    private static final int ROUNDS = Integer.getInteger("rounds", 200);
    private static final int SIZE = Integer.getInteger("size", 64 << 20);

    private ForeignSliceAbuse() {
    }

    public static void main(String[] args) throws Exception {
        ByteBufAllocator[] allocators = {new UnpooledByteBufAllocator(true), PooledByteBufAllocator.DEFAULT};
        long thrown = 0;
        for (ByteBufAllocator alloc : allocators) {
            for (int round = 0; round < ROUNDS; round++) {
                thrown += staleRead(alloc, round);
                thrown += racingRead(alloc, round);
            }
        }
        System.out.println("ok: " + thrown + " stale or racing reads threw");
    }

    /** Reads {@code asSegment()} after the slice and the ByteBuf are both released. */
    private static int staleRead(ByteBufAllocator alloc, int round) {
        ByteBuf buf = alloc.directBuffer(SIZE, SIZE).writerIndex(SIZE);
        buf.setLong(0, round);
        Slice slice = SliverByteBufs.asSlice(buf);
        buf.release(); // the slice's reference is the last one
        MemorySegment stale = slice.asSegment();
        if (stale.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 0) != round) {
            throw new AssertionError("wrong bytes before release");
        }
        slice.release(); // Netty frees the memory here (if the slice did not copy it)
        try {
            stale.get(ValueLayout.JAVA_BYTE, SIZE - 1);
            stale.get(ValueLayout.JAVA_BYTE, 0);
            return 0; // stale bytes of a copy: allowed
        } catch (IllegalStateException expected) {
            return 1;
        }
    }

    /** One thread copies out of the slice in a loop while this one releases it. */
    private static int racingRead(ByteBufAllocator alloc, int round) throws InterruptedException {
        ByteBuf buf = alloc.directBuffer(SIZE, SIZE).writerIndex(SIZE);
        Slice slice = SliverByteBufs.asSlice(buf);
        buf.release();
        byte[] into = new byte[1 << 16];
        CountDownLatch reading = new CountDownLatch(1);
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            reading.countDown();
            try {
                for (long offset = 0; ; offset = (offset + into.length) % (SIZE - into.length)) {
                    slice.copyTo(offset, into, 0, into.length);
                }
            } catch (IllegalStateException expected) {
                // released under us: the only acceptable end
            } catch (Throwable e) {
                unexpected.set(e);
            }
        });
        reading.await();
        Thread.sleep(0, 200_000 + (round % 7) * 100_000);
        slice.release();
        reader.join();
        if (unexpected.get() != null) {
            throw new AssertionError("round " + round, unexpected.get());
        }
        return 1;
    }
}
