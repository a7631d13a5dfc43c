package dev.sliver.alloc;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.*;

class TransferStackTest {
    /** Threads pass distinct values around in bundles; at the end every value exists exactly once. */
    @Test
    void bundlesMoveWholeUnderContention() throws Exception {
        int bundle = 8;
        int threads = 6;
        int rounds = 200_000;
        TransferStack stack = new TransferStack(bundle, 4);
        long[][] held = new long[threads][4 * bundle];
        int[] counts = new int[threads];
        CountDownLatch start = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int me = t;
            for (int i = 0; i < 2 * bundle; i++) {
                held[me][i] = ((long) me << 32) | i;
            }
            counts[me] = 2 * bundle;
            workers.add(Thread.ofPlatform().start(() -> StampedIndexStackTest.collect(failure, () -> {
                StampedIndexStackTest.await(start);
                long[] mine = held[me];
                int count = counts[me];
                for (int r = 0; r < rounds; r++) {
                    if ((r & 1) == 0 && count >= bundle) {
                        if (stack.push(mine, count - bundle, bundle)) {
                            count -= bundle;
                        }
                    } else if (count + bundle <= mine.length) {
                        count += stack.pop(mine, count);
                    }
                }
                counts[me] = count;
            })));
        }
        start.countDown();
        StampedIndexStackTest.joinAll(workers, failure);
        Set<Long> seen = new HashSet<>();
        int total = 0;
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < counts[t]; i++, total++) {
                assertTrue(seen.add(held[t][i]), "duplicated " + held[t][i]);
            }
        }
        long[] drain = new long[bundle];
        for (int n; (n = stack.pop(drain, 0)) > 0; ) {
            assertEquals(bundle, n, "bundles stay whole");
            for (int i = 0; i < n; i++, total++) {
                assertTrue(seen.add(drain[i]), "duplicated " + drain[i]);
            }
        }
        assertEquals(threads * 2 * bundle, total, "values lost");
    }

    @Test
    void aFullStackRefusesAndAnEmptyOneReturnsNothing() {
        TransferStack stack = new TransferStack(2, 2);
        long[] values = {1, 2, 3, 4, 5, 6};
        assertTrue(stack.push(values, 0, 2));
        assertTrue(stack.push(values, 2, 2));
        assertFalse(stack.push(values, 4, 2));
        assertEquals(4, stack.blockCount());
        long[] out = new long[2];
        assertEquals(2, stack.pop(out, 0));
        assertArrayEquals(new long[] {3, 4}, out);
        assertEquals(2, stack.pop(out, 0));
        assertEquals(0, stack.pop(out, 0));
    }

    @Test
    void movesCountSuccessfulPushesAndPopsAndBlockCountSumsTheBundles() {
        TransferStack stack = new TransferStack(4, 3);
        assertEquals(4, stack.bundleSize());
        assertEquals(0, stack.moves());
        assertEquals(0, stack.blockCount());
        long[] values = {1, 2, 3, 4, 5, 6, 7};
        assertTrue(stack.push(values, 0, 4));
        assertTrue(stack.push(values, 4, 3));
        assertEquals(2, stack.moves());
        assertEquals(7, stack.blockCount(), "a short bundle counts its own length");
        long[] out = new long[6];
        assertEquals(3, stack.pop(out, 2));
        assertArrayEquals(new long[] {0, 0, 5, 6, 7, 0}, out, "the last bundle pushed, at the offset asked");
        assertEquals(3, stack.moves());
        assertEquals(4, stack.blockCount());
        assertTrue(stack.push(values, 1, 2));
        assertTrue(stack.push(values, 3, 4));
        assertFalse(stack.push(values, 0, 1), "three rows, all full");
        assertEquals(5, stack.moves(), "a refused push is no move");
        assertEquals(10, stack.blockCount());
        for (int i = 0; i < 3; i++) {
            stack.pop(out, 0);
        }
        assertEquals(0, stack.pop(out, 0));
        assertEquals(8, stack.moves(), "an empty pop is no move");
        assertEquals(0, stack.blockCount());
    }
}
