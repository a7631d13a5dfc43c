import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import dev.sliver.netty.SliverByteBufAllocator;

/** Best of 9 rounds of 10 M x (directBuffer(size), writeLong, release) on one thread; ns per buffer. */
public class DoorProbe {
    public static void main(String[] args) {
        int size = Integer.parseInt(args[0]);
        ByteBufAllocator alloc = SliverByteBufAllocator.DEFAULT;
        long sink = 0;
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 9; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 10_000_000; i++) {
                ByteBuf b = alloc.directBuffer(size);
                b.writeLong(i);
                sink += b.getByte(3);
                b.release();
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e7);
        }
        System.out.printf("%d B: best %.1f ns (sink %d)%n", size, best, sink);
    }
}
