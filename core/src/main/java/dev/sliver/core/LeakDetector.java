package dev.sliver.core;

import java.lang.ref.Cleaner;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Reports {@link Slice}s and {@link Batch}es that became unreachable while still holding memory.
 *
 * <p>The level comes from the system property {@code sliver.leakDetection}:
 * <ul>
 *   <li>{@code off} (default) — nothing is tracked, no cost;</li>
 *   <li>{@code sample} — one allocation in {@value #SAMPLE_INTERVAL} is tracked;</li>
 *   <li>{@code paranoid} — every allocation is tracked.</li>
 * </ul>
 * A tracked owner records where it was created; when the garbage collector finds it unreleased,
 * a WARNING goes to the {@code System.Logger} named {@code dev.sliver.leak} with that stack trace.
 * The leaked memory is not reclaimed: a raw {@code MemorySegment} obtained from a view may still
 * be in use, and reusing its block would hand the same bytes to two owners.
 *
 * <p>Thread-safe.
 */
public final class LeakDetector {
    /** How many allocations {@link Level#SAMPLE} lets pass for each one it tracks. */
    public static final int SAMPLE_INTERVAL = 128;

    /** How much leak tracking is done. */
    public enum Level {
        /** No tracking: nothing is recorded and nothing is reported. */
        OFF,
        /** One allocation in {@link #SAMPLE_INTERVAL} is tracked, with its creation stack. */
        SAMPLE,
        /** Every allocation is tracked, with its creation stack. */
        PARANOID
    }

    private static final System.Logger LOG = System.getLogger("dev.sliver.leak");
    private static final Cleaner CLEANER = Cleaner.create();
    private static final LongAdder REPORTED = new LongAdder();
    private static volatile Level level = parse(System.getProperty("sliver.leakDetection", "off"));

    private LeakDetector() {
    }

    /** {@return the current level} */
    public static Level level() {
        return level;
    }

    /**
     * Changes the level for allocations made from now on (tests, or an admin switch).
     *
     * @param newLevel the level to apply
     */
    public static void setLevel(Level newLevel) {
        level = java.util.Objects.requireNonNull(newLevel, "level");
    }

    /** Sees every report before it is logged (for this package's tests). */
    static volatile java.util.function.Consumer<String> reportListener;

    /** {@return how many leaks were reported since the JVM started} */
    public static long leaksReported() {
        return REPORTED.sum();
    }

    static Level parse(String value) {
        try {
            return Level.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING,
                    "sliver.leakDetection=" + value + " is not one of off, sample, paranoid; using off");
            return Level.OFF;
        }
    }

    /** Starts tracking {@code owner}, or returns null when the level says not to. */
    static Tracker track(Object owner, long byteSize) {
        Level current = level;
        if (current == Level.OFF
                || (current == Level.SAMPLE && ThreadLocalRandom.current().nextInt(SAMPLE_INTERVAL) != 0)) {
            return null;
        }
        Tracker tracker = new Tracker(byteSize);
        tracker.cleanable = CLEANER.register(owner, tracker);
        return tracker;
    }

    /** The cleaning action; it must not reference the owner, or the owner would never become unreachable. */
    static final class Tracker implements Runnable {
        private final Throwable createdAt = new Throwable("created here");
        private final long byteSize;
        private volatile boolean released;
        private Cleaner.Cleanable cleanable;

        private Tracker(long byteSize) {
            this.byteSize = byteSize;
        }

        /** Called once, on the owner's final release: deregisters without reporting. */
        void released() {
            released = true;
            cleanable.clean();
        }

        @Override
        public void run() {
            if (released) {
                return;
            }
            java.io.StringWriter trace = new java.io.StringWriter();
            createdAt.printStackTrace(new java.io.PrintWriter(trace));
            String report = "LEAK: " + byteSize + " bytes held by a Sliver Slice or Batch were garbage-collected "
                    + "without release() or close(). " + trace;
            java.util.function.Consumer<String> listener = reportListener;
            if (listener != null) {
                listener.accept(report);
            }
            REPORTED.increment();
            LOG.log(System.Logger.Level.WARNING, report);
        }
    }
}
