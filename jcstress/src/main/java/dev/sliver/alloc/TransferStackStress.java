package dev.sliver.alloc;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

/** jcstress test of {@link TransferStack}: a bundle moves whole, with its contents visible to the popper. */
@JCStressTest
@Outcome(id = {"0, 30", "30, 0"}, expect = Expect.ACCEPTABLE,
        desc = "the popper got the whole bundle (sum 30), or it was still on the stack")
@Outcome(expect = Expect.FORBIDDEN, desc = "a torn or stale bundle")
@State
public class TransferStackStress {
    private final TransferStack stack = new TransferStack(4, 1);
    private long popped;

    @Actor
    public void push() {
        stack.push(new long[] {3, 6, 9, 12}, 0, 4);
    }

    @Actor
    public void pop() {
        long[] bundle = new long[4];
        int n = stack.pop(bundle, 0);
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += bundle[i];
        }
        popped = sum;
    }

    @Arbiter
    public void check(JJ_Result r) {
        long[] rest = new long[4];
        int n = stack.pop(rest, 0);
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += rest[i];
        }
        r.r1 = popped;
        r.r2 = sum;
    }
}
