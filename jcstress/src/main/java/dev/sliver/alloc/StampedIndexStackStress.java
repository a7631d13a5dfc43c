package dev.sliver.alloc;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

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
}
