package dev.sliver.alloc;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.IIII_Result;

/** jcstress tests of {@link StampedIndexStack}: no index is ever handed to two owners or lost. */
public final class StampedIndexStackStress {
    private StampedIndexStackStress() {
    }

    /** Two concurrent pops of a two-element stack get different elements; the stack ends empty. */
    @JCStressTest
    @Outcome(id = {"0, 1, -1", "1, 0, -1"}, expect = Expect.ACCEPTABLE, desc = "each pop got its own index")
    @Outcome(expect = Expect.FORBIDDEN, desc = "an index was popped twice or lost")
    @State
    public static class TwoPops {
        private final StampedIndexStack stack = new StampedIndexStack(2);

        public TwoPops() {
            stack.push(1);
            stack.push(0);
        }

        @Actor
        public void first(III_Result r) {
            r.r1 = stack.pop();
        }

        @Actor
        public void second(III_Result r) {
            r.r2 = stack.pop();
        }

        @Arbiter
        public void rest(III_Result r) {
            r.r3 = stack.pop();
        }
    }

    /**
     * One thread pops and pushes back (the ABA pattern) while another pops: at the end the three
     * indices are each held exactly once, by the second thread or by the stack.
     */
    @JCStressTest
    @Outcome(id = {"1, 2, 3, 0", "2, 2, 3, 0", "3, 2, 3, 0"}, expect = Expect.ACCEPTABLE,
            desc = "r1 = what the popper holds (tagged +1), r2 = stack size left, r3 = distinct indices total, r4 = duplicates")
    @Outcome(expect = Expect.FORBIDDEN, desc = "an index duplicated or lost")
    @State
    public static class PopPushAgainstPop {
        private final StampedIndexStack stack = new StampedIndexStack(3);
        private int held = -1;

        public PopPushAgainstPop() {
            stack.push(2);
            stack.push(1);
            stack.push(0);
        }

        @Actor
        public void popAndPushBack() {
            int a = stack.pop();
            int b = stack.pop();
            if (b >= 0) {
                stack.push(b);
            }
            if (a >= 0) {
                stack.push(a);
            }
        }

        @Actor
        public void pop() {
            held = stack.pop();
        }

        @Arbiter
        public void check(IIII_Result r) {
            boolean[] seen = new boolean[3];
            int duplicates = 0;
            int distinct = 0;
            if (held >= 0) {
                seen[held] = true;
                distinct++;
            }
            int left = 0;
            for (int i; (i = stack.pop()) >= 0; left++) {
                if (seen[i]) {
                    duplicates++;
                } else {
                    seen[i] = true;
                    distinct++;
                }
            }
            r.r1 = held + 1;
            r.r2 = left;
            r.r3 = distinct;
            r.r4 = duplicates;
        }
    }
}
