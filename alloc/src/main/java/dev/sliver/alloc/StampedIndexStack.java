package dev.sliver.alloc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A lock-free LIFO of small integer indices (Treiber's stack), safe from ABA.
 *
 * <p>The design note's freelist CASes a bare pointer: a popper reads head A and next B, stalls;
 * others pop A, pop B, push A; the popper's CAS(A -> B) then succeeds and puts B, which is in use,
 * back on the stack. Here the head is one 64-bit word, {@code stamp << 32 | (index + 1)}, and every
 * successful CAS increments the stamp, so the stalled popper's CAS fails: the head is A again but
 * the stamp is not. A 32-bit stamp wraps after 2^32 successful operations; ABA would need a popper
 * to stall across exactly that many, which we accept.
 *
 * <p>Memory ordering: {@code next[]} is read and written plainly. A popper reads it after a
 * volatile read of the head; the CAS then validates that the head (and so the link it read) did
 * not change. A pusher writes the link before its CAS, which has volatile semantics, so a popper
 * that sees the new head sees the link (and whatever the pusher wrote before, such as a bundle).
 */
final class StampedIndexStack {
    static final int EMPTY = -1;
    private static final VarHandle HEAD;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(StampedIndexStack.class, "head", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int[] next;
    @SuppressWarnings("unused") // accessed through HEAD
    private volatile long head;

    /** A stack that can hold the indices {@code 0 .. capacity-1}, each at most once. */
    StampedIndexStack(int capacity) {
        this.next = new int[capacity];
    }

    void push(int index) {
        for (;;) {
            long h = (long) HEAD.getVolatile(this);
            next[index] = top(h);
            if (HEAD.compareAndSet(this, h, word(stamp(h) + 1, index))) {
                return;
            }
        }
    }

    /** Pops the top index, or returns {@link #EMPTY}. */
    int pop() {
        for (;;) {
            long h = (long) HEAD.getVolatile(this);
            int top = top(h);
            if (top == EMPTY) {
                return EMPTY;
            }
            if (tryPop(h, next[top])) {
                return top;
            }
        }
    }

    /**
     * The second half of {@link #pop}: replaces head {@code observed} by its successor
     * {@code observedNext} if nothing happened in between. Package-private so that a test can
     * replay the ABA interleaving against the real CAS.
     */
    boolean tryPop(long observed, int observedNext) {
        return HEAD.compareAndSet(this, observed, word(stamp(observed) + 1, observedNext));
    }

    /** The current head word (for tests and {@link #isEmpty}). */
    long headWord() {
        return (long) HEAD.getVolatile(this);
    }

    /** The link below {@code index} as last written. */
    int nextOf(int index) {
        return next[index];
    }

    boolean isEmpty() {
        return top(headWord()) == EMPTY;
    }

    static int top(long word) {
        return (int) word - 1;
    }

    private static int stamp(long word) {
        return (int) (word >>> 32);
    }

    private static long word(int stamp, int index) {
        return ((long) stamp << 32) | ((index + 1) & 0xFFFF_FFFFL);
    }
}
