package dev.sliver.alloc;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.*;

class StampedIndexStackTest {
    /** The design note's freelist, on indices: a bare head CAS, open to ABA. Kept to prove the test catches it. */
    static final class NaiveStack {
        final AtomicInteger head = new AtomicInteger(-1);
        final int[] next;

        NaiveStack(int capacity) {
            next = new int[capacity];
        }

        void push(int index) {
            int h;
            do {
                h = head.get();
                next[index] = h;
            } while (!head.compareAndSet(h, index));
        }

        int pop() {
            for (;;) {
                int h = head.get();
                if (h < 0) {
                    return -1;
                }
                if (tryPop(h, next[h])) {
                    return h;
                }
            }
        }

        boolean tryPop(int observedHead, int observedNext) {
            return head.compareAndSet(observedHead, observedNext);
        }
    }

    /**
     * T1 reads head 0 and next 1, then stalls; T2 pops 0, pops 1 (keeps it), pushes 0 back; T1's CAS
     * resumes. The naive stack lets it through and hands out 1 again; the stamped one refuses.
     */
    @Test
    void theAbaInterleavingCorruptsTheNaiveStackButNotTheStampedOne() {
        NaiveStack naive = new NaiveStack(3);
        naive.push(2);
        naive.push(1);
        naive.push(0);
        int observed = naive.head.get();
        int observedNext = naive.next[observed];
        assertEquals(0, naive.pop());
        int heldByT2 = naive.pop();
        naive.push(0);
        assertTrue(naive.tryPop(observed, observedNext), "the naive CAS succeeds: ABA");
        assertEquals(heldByT2, naive.pop(), "block 1 is handed out while T2 still holds it");

        StampedIndexStack stamped = new StampedIndexStack(3);
        stamped.push(2);
        stamped.push(1);
        stamped.push(0);
        long observedWord = stamped.headWord();
        int next = stamped.nextOf(StampedIndexStack.top(observedWord));
        assertEquals(0, stamped.pop());
        assertEquals(1, stamped.pop());
        stamped.push(0);
        assertFalse(stamped.tryPop(observedWord, next), "the stamp changed: the stale CAS fails");
        assertEquals(0, stamped.pop());
        assertEquals(2, stamped.pop());
        assertEquals(StampedIndexStack.EMPTY, stamped.pop());
    }

    /** Many threads pop, own, and push back indices; no index may be owned twice or lost. */
    @Test
    void concurrentPopsAndPushesNeverDuplicateOrLose() throws Exception {
        int capacity = 16;
        int threads = 8;
        int rounds = 200_000;
        StampedIndexStack stack = new StampedIndexStack(capacity);
        for (int i = 0; i < capacity; i++) {
            stack.push(i);
        }
        AtomicIntegerArray owned = new AtomicIntegerArray(capacity);
        AtomicInteger duplicates = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> collect(failure, () -> {
                await(start);
                int[] mine = new int[3];
                for (int r = 0; r < rounds; r++) {
                    int n = 0;
                    for (int k = 0; k < 1 + (r % 3); k++) {
                        int index = stack.pop();
                        if (index < 0) {
                            break;
                        }
                        if (!owned.compareAndSet(index, 0, 1)) {
                            duplicates.incrementAndGet();
                        }
                        mine[n++] = index;
                    }
                    for (int k = 0; k < n; k++) {
                        owned.set(mine[k], 0);
                        stack.push(mine[k]);
                    }
                }
            })));
        }
        start.countDown();
        joinAll(workers, failure);
        assertEquals(0, duplicates.get());
        boolean[] seen = new boolean[capacity];
        for (int index; (index = stack.pop()) >= 0; ) {
            assertFalse(seen[index], "index " + index + " on the stack twice");
            seen[index] = true;
        }
        for (int i = 0; i < capacity; i++) {
            assertTrue(seen[i], "index " + i + " lost");
        }
    }

    /** Runs a worker's body, keeping its first failure for {@link #joinAll} to rethrow. */
    static void collect(java.util.concurrent.atomic.AtomicReference<Throwable> failure, Runnable body) {
        try {
            body.run();
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
    }

    /** Joins the workers (a minute at most each) and rethrows the first failure of any of them. */
    static void joinAll(List<Thread> workers, java.util.concurrent.atomic.AtomicReference<Throwable> failure)
            throws InterruptedException {
        for (Thread t : workers) {
            t.join(java.time.Duration.ofMinutes(1));
            assertFalse(t.isAlive(), t + " did not finish");
        }
        if (failure.get() != null) {
            throw new AssertionError("a worker failed", failure.get());
        }
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
