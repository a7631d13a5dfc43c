package dev.sliver.alloc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The design note's freelist on indices: a Treiber stack whose head is the bare index, CASed
 * without a stamp. Deliberately broken (ABA): kept only so that {@link AbaStress} can show the
 * interleaving it forbids for {@link StampedIndexStack} really happens here.
 */
final class UnstampedIndexStack {
    static final int EMPTY = -1;
    private static final VarHandle HEAD;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(UnstampedIndexStack.class, "head", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int[] next;
    @SuppressWarnings("unused") // accessed through HEAD
    private volatile int head = EMPTY;

    UnstampedIndexStack(int capacity) {
        this.next = new int[capacity];
    }

    void push(int index) {
        for (;;) {
            int h = (int) HEAD.getVolatile(this);
            next[index] = h;
            if (HEAD.compareAndSet(this, h, index)) {
                return;
            }
        }
    }

    int pop() {
        for (;;) {
            int h = (int) HEAD.getVolatile(this);
            if (h == EMPTY) {
                return EMPTY;
            }
            int n = next[h];
            Thread.onSpinWait(); // widens the window between reading the link and the CAS
            if (HEAD.compareAndSet(this, h, n)) {
                return h;
            }
        }
    }
}
