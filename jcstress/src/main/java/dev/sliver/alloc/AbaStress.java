package dev.sliver.alloc;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The ABA interleaving, as a jcstress outcome. The stack holds 0, 1, 2 (0 on top). One actor pops
 * 0, pops 1, pushes 0 back and keeps 1; the other pops once. If the second actor read head 0 and
 * its link 1, stalled while the first did its three operations, and then CASed head 0 -> 1, the
 * stack would now hand out 1, which the first actor holds: index 1 owned twice. The arbiter
 * counts duplicates among what both actors hold and what the stack still gives.
 */
public final class AbaStress {
    private AbaStress() {
    }

    /** r1 = indices accounted for (must be 3), r2 = indices owned twice (must be 0). */
    @JCStressTest
    @Outcome(id = "3, 0", expect = Expect.ACCEPTABLE, desc = "every index owned once")
    @Outcome(expect = Expect.FORBIDDEN, desc = "ABA: an index handed out twice, or one lost")
    @State
    public static class Stamped {
        private final StampedIndexStack stack = new StampedIndexStack(3);
        private int kept = -1;
        private int popped = -1;

        public Stamped() {
            stack.push(2);
            stack.push(1);
            stack.push(0);
        }

        @Actor
        public void popPopPushFirst() {
            int a = stack.pop();
            kept = stack.pop();
            stack.push(a);
        }

        @Actor
        public void pop() {
            popped = stack.pop();
        }

        @Arbiter
        public void count(II_Result r) {
            int[] owners = new int[3];
            owners[kept]++;
            owners[popped]++;
            for (int i; (i = stack.pop()) >= 0; ) {
                owners[i]++;
            }
            tally(owners, r);
        }
    }

    /**
     * The same actors on the unstamped stack. Here the ABA outcome is expected to show up (it is
     * marked interesting, not forbidden, so the suite stays green): seeing it in the report is the
     * proof that {@link Stamped} can catch ABA.
     */
    @JCStressTest
    @Outcome(id = "3, 0", expect = Expect.ACCEPTABLE, desc = "every index owned once")
    @Outcome(expect = Expect.ACCEPTABLE_INTERESTING, desc = "ABA caught: an index handed out twice (broken stack, as expected)")
    @State
    public static class Unstamped {
        private final UnstampedIndexStack stack = new UnstampedIndexStack(3);
        private int kept = -1;
        private int popped = -1;

        public Unstamped() {
            stack.push(2);
            stack.push(1);
            stack.push(0);
        }

        @Actor
        public void popPopPushFirst() {
            int a = stack.pop();
            kept = stack.pop();
            stack.push(a);
        }

        @Actor
        public void pop() {
            popped = stack.pop();
        }

        @Arbiter
        public void count(II_Result r) {
            int[] owners = new int[3];
            owners[kept]++;
            owners[popped]++;
            for (int i, guard = 0; (i = stack.pop()) >= 0 && guard < 10; guard++) {
                owners[i]++;
            }
            tally(owners, r);
        }
    }

    static void tally(int[] owners, II_Result r) {
        int accounted = 0;
        int twice = 0;
        for (int n : owners) {
            accounted += n > 0 ? 1 : 0;
            twice += n > 1 ? 1 : 0;
        }
        r.r1 = accounted;
        r.r2 = twice;
    }
}
