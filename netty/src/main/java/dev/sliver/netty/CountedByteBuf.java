package dev.sliver.netty;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Netty's reference-count contract ({@code retain}, {@code release}, {@code refCnt}) on one
 * {@code int} field of the buffer itself. Netty's {@code AbstractReferenceCountedByteBuf} keeps
 * its count in a separate {@code RefCnt} object: 16 more bytes of heap and one more allocation
 * per buffer, which this class saves.
 *
 * <p>The count starts at 1. A release that brings it to 0 calls {@link #deallocate()} exactly
 * once; releasing or retaining a buffer whose count is 0, or releasing more than it holds,
 * throws {@link IllegalReferenceCountException} and changes nothing. Every change is a CAS on
 * the count, so racing releases on different threads still deallocate once: the CAS that moves
 * the count to 0 is the only one that sees it go there. A buffer is never reused after
 * {@code deallocate}: no pool hands the same object to a new owner, so a stale reference keeps
 * failing Netty's accessibility check ({@code refCnt() != 0}) forever.
 */
abstract class CountedByteBuf extends AbstractByteBuf {
    private static final VarHandle REF_CNT;

    static {
        try {
            REF_CNT = MethodHandles.lookup().findVarHandle(CountedByteBuf.class, "refCnt", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings({"unused", "FieldMayBeFinal"}) // accessed through REF_CNT
    private volatile int refCnt = 1;

    CountedByteBuf(int maxCapacity) {
        super(maxCapacity);
    }

    /** Gives the memory back; called once, by the release that drops the count to 0. */
    protected abstract void deallocate();

    @Override
    public int refCnt() {
        return refCnt;
    }

    @Override
    public ByteBuf retain() {
        return retain0(1);
    }

    @Override
    public ByteBuf retain(int increment) {
        if (increment <= 0) {
            throw new IllegalArgumentException("increment: " + increment + " (expected: > 0)");
        }
        return retain0(increment);
    }

    private ByteBuf retain0(int increment) {
        for (int current = refCnt; ; ) {
            if (current == 0 || current + increment < 0) {
                throw new IllegalReferenceCountException(current, increment);
            }
            int witness = (int) REF_CNT.compareAndExchange(this, current, current + increment);
            if (witness == current) {
                return this;
            }
            current = witness;
        }
    }

    @Override
    public boolean release() {
        return release0(1);
    }

    @Override
    public boolean release(int decrement) {
        if (decrement <= 0) {
            throw new IllegalArgumentException("decrement: " + decrement + " (expected: > 0)");
        }
        return release0(decrement);
    }

    private boolean release0(int decrement) {
        for (int current = refCnt; ; ) {
            if (current < decrement) {
                throw new IllegalReferenceCountException(current, -decrement);
            }
            int witness = (int) REF_CNT.compareAndExchange(this, current, current - decrement);
            if (witness == current) {
                if (current == decrement) {
                    deallocate();
                    return true;
                }
                return false;
            }
            current = witness;
        }
    }

    @Override
    public ByteBuf touch() {
        return this;
    }

    @Override
    public ByteBuf touch(Object hint) {
        return this;
    }
}
