package dev.sliver.alloc;

import java.util.ArrayList;
import java.util.List;

/**
 * The size classes: 16, 32, 48, 64, then four per doubling (80, 96, 112, 128, 160, 192, ...) up
 * to 256 KiB, as in jemalloc. Above 64 bytes a request wastes at most 20% of its block; at or below,
 * at most 15 bytes (the 16-byte granule every block is aligned to).
 *
 * <p>Size to class is O(1): two byte tables, one with an 8-byte step up to 1 KiB, one with a
 * 128-byte step above (every class above 1 KiB is a multiple of 256, so a step never straddles
 * two classes). Immutable and thread-safe.
 */
final class SizeClasses {
    /** The largest size served from size classes. */
    static final int MAX_SMALL = 256 * 1024;
    /** Every block is aligned to at least this: the 16-byte granule, the smallest class. */
    static final long MIN_ALIGNMENT = 16;
    /** Span pages are 64 KiB; chunks hold {@link Chunk#PAGES} of them. */
    static final int PAGE_SHIFT = 16;
    static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    private static final int SMALL_LIMIT = 1024;

    private static final int[] SIZES;
    private static final byte[] SMALL_TABLE = new byte[SMALL_LIMIT / 8 + 1];
    private static final byte[] LARGE_TABLE = new byte[MAX_SMALL / 128 + 1];

    static {
        List<Integer> sizes = new ArrayList<>(List.of(16, 32, 48, 64));
        for (int base = 64; base < MAX_SMALL; base *= 2) {
            for (int i = 1; i <= 4; i++) {
                sizes.add(base + i * (base / 4));
            }
        }
        SIZES = sizes.stream().mapToInt(Integer::intValue).toArray();
        int cls = 0;
        for (int i = 0; i < SMALL_TABLE.length; i++) {
            while (SIZES[cls] < i * 8) {
                cls++;
            }
            SMALL_TABLE[i] = (byte) cls;
        }
        cls = 0;
        for (int i = 0; i < LARGE_TABLE.length; i++) {
            while (SIZES[cls] < i * 128) {
                cls++;
            }
            LARGE_TABLE[i] = (byte) cls;
        }
    }

    private SizeClasses() {
    }

    /** Number of classes. */
    static int count() {
        return SIZES.length;
    }

    /** Block size of class {@code cls}. */
    static int size(int cls) {
        return SIZES[cls];
    }

    /** The smallest class whose blocks hold {@code size} bytes; {@code 0 <= size <= MAX_SMALL}. */
    static int classOf(long size) {
        return size <= SMALL_LIMIT
                ? SMALL_TABLE[(int) (size + 7) >>> 3]
                : LARGE_TABLE[(int) (size + 127) >>> 7];
    }

    /**
     * A bundle: the blocks moved between a thread cache and the central cache at once,
     * min(32, max(2, 64 KiB / size)). (Not a {@code dev.sliver.core.Batch}, which is a record's blobs.)
     */
    static int bundleSize(int cls) {
        return Math.min(32, Math.max(2, (64 * 1024) / SIZES[cls]));
    }

    /** Pages per span: the fewest 64 KiB pages whose tail (not a whole block) wastes at most 1/8. */
    static int spanPages(int cls) {
        int size = SIZES[cls];
        for (int pages = 1; ; pages++) {
            long bytes = (long) pages * PAGE_SIZE;
            if (bytes >= size && bytes % size <= bytes / 8) {
                return pages;
            }
        }
    }
}
