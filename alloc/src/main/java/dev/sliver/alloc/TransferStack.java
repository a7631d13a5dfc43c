package dev.sliver.alloc;

/**
 * The central cache of one size class: a lock-free stack of full bundles of blocks.
 *
 * <p>Bundles live in preallocated rows of one {@code long[]}; two {@link StampedIndexStack}s hold
 * the indices of the full rows and of the empty ones. Moving a bundle in or out costs one CAS on
 * each stack, whatever the bundle size, and no allocation. Nodes are row indices recycled forever,
 * which is exactly where a plain Treiber stack suffers ABA; the stamped head prevents it.
 *
 * <p>A row's contents are written by the pusher before its CAS on {@code full} and read by the
 * popper after its CAS on {@code full} succeeded (the row is then exclusively its own), so plain
 * array accesses are ordered by the CASes.
 */
final class TransferStack {
    private final int bundleSize;
    private final long[] blocks;
    private final int[] lengths;
    private final StampedIndexStack full;
    private final StampedIndexStack empty;
    /** Bumped by every push and pop; the decay thread drains a stack that did not move for a tick. */
    private volatile int moves;

    TransferStack(int bundleSize, int rows) {
        this.bundleSize = bundleSize;
        this.blocks = new long[bundleSize * rows];
        this.lengths = new int[rows];
        this.full = new StampedIndexStack(rows);
        this.empty = new StampedIndexStack(rows);
        for (int r = rows - 1; r >= 0; r--) {
            empty.push(r);
        }
    }

    int bundleSize() {
        return bundleSize;
    }

    /** Stores {@code n <= bundleSize} blocks from {@code src[from..]}; false if every row is full. */
    boolean push(long[] src, int from, int n) {
        int row = empty.pop();
        if (row == StampedIndexStack.EMPTY) {
            return false;
        }
        System.arraycopy(src, from, blocks, row * bundleSize, n);
        lengths[row] = n;
        full.push(row);
        moves++;
        return true;
    }

    /** Moves one bundle into {@code dst[at..]}; returns its length, 0 if there is none. */
    int pop(long[] dst, int at) {
        int row = full.pop();
        if (row == StampedIndexStack.EMPTY) {
            return 0;
        }
        int n = lengths[row];
        System.arraycopy(blocks, row * bundleSize, dst, at, n);
        empty.push(row);
        moves++;
        return n;
    }

    int moves() {
        return moves;
    }

    /** Blocks currently held (a racy estimate, for statistics). */
    long blockCount() {
        long n = 0;
        for (int row = full.isEmpty() ? -1 : StampedIndexStack.top(full.headWord()), guard = 0;
             row >= 0 && guard < lengths.length; row = full.nextOf(row), guard++) {
            n += lengths[row];
        }
        return n;
    }
}
