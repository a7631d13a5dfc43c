package dev.sliver.alloc;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Finds the span that owns an address, in two array loads: a radix tree over 64 KiB page
 * numbers, as tcmalloc's page map. The root covers a 48-bit address space (what x86-64 and ARM64
 * hand to user space); each leaf covers 4 GiB and is created on first use.
 *
 * <p>Writers hold the lock of the pool that owns the pages, so no two write one entry; a new leaf
 * is installed with a CAS, since two pools may need the same one. Nothing here blocks (a
 * {@code synchronized} writer once parked a virtual thread that held a pool lock). Readers take no lock: an entry is written before any block
 * of its span is handed out, and blocks travel between threads only through synchronizing
 * actions (the transfer stacks' CAS, a pool lock, or the caller's own hand-off), so a reader that
 * legitimately holds a block sees its span. A reader with a stale or foreign address may see null
 * or another span; {@link Span#free} rejects both.
 */
final class PageMap {
    private static final int LEAF_BITS = 16;
    private static final int ROOT_BITS = 48 - SizeClasses.PAGE_SHIFT - LEAF_BITS;
    private static final VarHandle ROOT = MethodHandles.arrayElementVarHandle(Span[][].class);

    private final Span[][] root = new Span[1 << ROOT_BITS][];

    /** The span owning {@code address}, or null. */
    Span get(long address) {
        long page = address >>> SizeClasses.PAGE_SHIFT;
        if ((page >>> (LEAF_BITS + ROOT_BITS)) != 0) {
            return null;
        }
        Span[] leaf = root[(int) (page >>> LEAF_BITS)];
        return leaf == null ? null : leaf[(int) page & ((1 << LEAF_BITS) - 1)];
    }

    /**
     * Hands the free block at {@code address}, which the caller holds (popped from its cache, or
     * from a bundle it refilled), to a user as a segment of {@code size} bytes: the one place
     * where a block becomes a user's segment ({@link Span#handOut}).
     */
    MemorySegment handOut(long address, long size) {
        return get(address).handOut(address, size);
    }

    /** Points {@code pages} pages from {@code address} at {@code span} (null to clear). */
    void set(long address, int pages, Span span) {
        long page = address >>> SizeClasses.PAGE_SHIFT;
        if ((page + pages - 1) >>> (LEAF_BITS + ROOT_BITS) != 0) {
            throw new OutOfMemoryError("address 0x" + Long.toHexString(address) + " is outside the 48-bit range");
        }
        for (int i = 0; i < pages; i++, page++) {
            int r = (int) (page >>> LEAF_BITS);
            Span[] leaf = (Span[]) ROOT.getAcquire(root, r);
            if (leaf == null) {
                Span[] fresh = new Span[1 << LEAF_BITS];
                Span[] won = (Span[]) ROOT.compareAndExchangeRelease(root, r, null, fresh);
                leaf = won == null ? fresh : won;
            }
            leaf[(int) page & ((1 << LEAF_BITS) - 1)] = span;
        }
    }
}
