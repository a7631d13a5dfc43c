package dev.sliver.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The lifetime of a {@link Slice}: the view's own reference count, the share of its block's
 * {@link MemoryOwner} that the view holds while that count is above zero, and borrowing (a view
 * from {@link Batch#get} starts at zero and lives on its lender's references until retained).
 * {@code Slice} is its only subclass and holds the bytes; the rules are on {@code Slice}'s page.
 */
abstract sealed class RefCountedView implements AutoCloseable permits Slice {
    private static final VarHandle REF_CNT;

    static {
        try {
            REF_CNT = MethodHandles.lookup().findVarHandle(RefCountedView.class, "refCnt", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The block's shared count: every view cut from one block holds a share of it. */
    final MemoryOwner owner;
    /** The view this view is borrowed from, or null if the view owns its references. */
    private final RefCountedView lender;
    @SuppressWarnings("unused") // accessed through REF_CNT
    private volatile int refCnt;

    RefCountedView(MemoryOwner owner, RefCountedView lender, int refCnt) {
        this.owner = owner;
        this.lender = lender;
        this.refCnt = refCnt;
    }

    /**
     * Adds a reference to this view.
     *
     * @return this slice
     */
    public final Slice retain() {
        for (;;) {
            int c = (int) REF_CNT.getVolatile(this);
            if (c == 0) {
                if (lender == null) {
                    throw released();
                }
                // A borrowed view becomes an owning one: it takes its own owner reference first.
                lender.ensureAlive();
                owner.retain();
                if (REF_CNT.compareAndSet(this, 0, 1)) {
                    return (Slice) this;
                }
                owner.release(); // another thread retained it first; retry as a plain increment
                continue;
            }
            if (c == Integer.MAX_VALUE) {
                throw new IllegalStateException("reference count overflow on " + this);
            }
            if (REF_CNT.compareAndSet(this, c, c + 1)) {
                return (Slice) this;
            }
        }
    }

    /**
     * Drops a reference to this view; when it was the last one, drops the view's share of the
     * memory, which goes back to its allocator when no slice holds it any more.
     *
     * @return true if this view's count reached zero
     * @throws IllegalStateException if the view holds no reference (already released, or a
     *                               borrowed view that was never retained)
     */
    public final boolean release() {
        for (;;) {
            int c = (int) REF_CNT.getVolatile(this);
            if (c == 0) {
                throw lender == null
                        ? new IllegalStateException("slice released more times than retained: " + describe())
                        : new IllegalStateException("this view is borrowed from its batch and holds no reference of "
                        + "its own; close the batch, or retain() the view first");
            }
            if (REF_CNT.compareAndSet(this, c, c - 1)) {
                if (c == 1) {
                    owner.release();
                    return true;
                }
                return false;
            }
        }
    }

    /** Same as {@link #release()}, for try-with-resources. */
    @Override
    public final void close() {
        release();
    }

    /** {@return this view's own reference count} (0 for a borrowed view that was not retained) */
    public final int refCount() {
        return (int) REF_CNT.getVolatile(this);
    }

    /** {@return whether the bytes can still be read through this view} */
    public final boolean isAlive() {
        return refCnt > 0 || (lender != null && lender.refCnt > 0);
    }

    final void ensureAlive() {
        if (!isAlive()) {
            throw released();
        }
    }

    private IllegalStateException released() {
        return new IllegalStateException(lender == null
                ? "use of a released slice: " + describe()
                : "batch of view " + describe() + " is closed");
    }

    /** How errors name this view, e.g. {@code Slice[length=3]}. */
    abstract String describe();
}
