package dev.sliver.alloc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Finds the span that owns an address, in two array loads: a radix tree over 64 KiB page
 * numbers, as tcmalloc's page map. The root covers a 48-bit address space (what x86-64 and ARM64
 * hand to user space); each leaf covers 4 GiB and is created on first use.
 *
 * <p>Writers hold their pool's lock. Readers take no lock: an entry is written before any block
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

    /** Points {@code pages} pages from {@code address} at {@code span} (null to clear). */
    synchronized void set(long address, int pages, Span span) {
        long page = address >>> SizeClasses.PAGE_SHIFT;
        if ((page + pages - 1) >>> (LEAF_BITS + ROOT_BITS) != 0) {
            throw new OutOfMemoryError("address 0x" + Long.toHexString(address) + " is outside the 48-bit range");
        }
        for (int i = 0; i < pages; i++, page++) {
            int r = (int) (page >>> LEAF_BITS);
            Span[] leaf = root[r];
            if (leaf == null) {
                leaf = new Span[1 << LEAF_BITS];
                ROOT.setRelease(root, r, leaf);
            }
            leaf[(int) page & ((1 << LEAF_BITS) - 1)] = span;
        }
    }
}
