package dev.sliver.alloc;

/**
 * The layer between thread caches and pools: per size class, a lock-free {@link TransferStack} of
 * whole bundles. A thread cache refills with one bundle (one CAS pair) and flushes one bundle the
 * same way. Only when the stack is empty does a refill lock a pool to carve fresh blocks, and
 * only when it is full does a flush give blocks back to their spans, through their pools.
 *
 * <p>Cross-thread frees: a block freed on another thread goes into the freeing thread's cache, as
 * in tcmalloc, and reaches other threads through this layer. No per-block remote-free queue is
 * needed because every block is found from its address through the page map.
 */
final class CentralCache {
    /** Bound on what one class's stack holds: about 8 MiB, between 2 and 256 bundles. */
    private static final long BYTES_PER_CLASS = 8L << 20;

    private final TransferStack[] stacks;
    private final PageMap pageMap;
    /** Moves seen by the last decay tick, per class. */
    private final int[] lastMoves;

    CentralCache(PageMap pageMap) {
        this.pageMap = pageMap;
        this.stacks = new TransferStack[SizeClasses.count()];
        this.lastMoves = new int[stacks.length];
        for (int c = 0; c < stacks.length; c++) {
            int bundle = SizeClasses.bundleSize(c);
            long rows = BYTES_PER_CLASS / ((long) bundle * SizeClasses.size(c));
            stacks[c] = new TransferStack(bundle, Math.clamp(rows, 2, 256));
        }
    }

    int bundleSize(int cls) {
        return stacks[cls].bundleSize();
    }

    /** Fills {@code dst} from index 0 with one bundle; returns its length (> 0). */
    int refill(int cls, long[] dst, Pool pool) {
        int n = stacks[cls].pop(dst, 0);
        return n > 0 ? n : pool.allocateBundle(cls, dst, 0, stacks[cls].bundleSize());
    }

    /** Takes {@code n <= bundleSize} blocks from {@code src[from..]}. */
    void flush(int cls, long[] src, int from, int n) {
        if (!stacks[cls].push(src, from, n)) {
            giveBack(src, from, n);
        }
    }

    /**
     * Gives blocks back to their spans: each run of blocks of one pool goes to that pool, which
     * takes its own lock once for the run.
     */
    private void giveBack(long[] blocks, int from, int n) {
        for (int i = from, end = from + n; i < end; ) {
            i = pageMap.get(blocks[i]).chunk.pool.giveBack(blocks, i, end);
        }
    }

    /** Decay: empties, into the spans, every class stack that did not move since the last tick. */
    void drainIdle() {
        long[] bundle = new long[32];
        for (int c = 0; c < stacks.length; c++) {
            int moves = stacks[c].moves();
            if (moves == lastMoves[c]) {
                for (int n; (n = stacks[c].pop(bundle, 0)) > 0; ) {
                    giveBack(bundle, 0, n);
                }
            }
            lastMoves[c] = stacks[c].moves();
        }
    }

    /** Bytes held in the stacks (racy: statistics only). */
    long cachedBytes() {
        long bytes = 0;
        for (int c = 0; c < stacks.length; c++) {
            bytes += stacks[c].blockCount() * SizeClasses.size(c);
        }
        return bytes;
    }
}
