package dev.sliver.core;

import java.lang.foreign.Arena;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Closes the shared arena behind a {@link Slice} on its last release, even when another thread is
 * in the middle of I/O on that memory.
 *
 * <p>A shared arena refuses to close while a thread has it acquired (the JDK acquires a buffer's
 * arena for the length of a channel read or write). Throwing then would fail the releasing
 * thread for another thread's bug, and skipping the close would leave memory that the owner is
 * about to free reachable. So a refused close is retried on one daemon thread, with backoff,
 * until the I/O ends; only then does the owner's action (which may free the memory) run. No
 * stale view can touch the memory in between: its arena is still open, so the memory is too.
 */
final class ArenaCloser {
    private static final System.Logger LOG = System.getLogger("dev.sliver.core");
    private static final long FIRST_RETRY_MICROS = 200;
    private static final long MAX_RETRY_MICROS = 100_000;

    private ArenaCloser() {
    }

    /** Closes {@code arena}, then runs {@code then}; both later, on the retry thread, if the arena is busy. */
    static void close(Arena arena, Runnable then) {
        if (tryClose(arena)) {
            then.run();
        } else {
            Retry.schedule(arena, then, FIRST_RETRY_MICROS);
        }
    }

    private static boolean tryClose(Arena arena) {
        try {
            arena.close();
            return true;
        } catch (IllegalStateException e) {
            if (!arena.scope().isAlive()) {
                throw e; // closed by someone else: a bug, not a busy arena
            }
            return false; // acquired by a thread doing I/O
        }
    }

    /** The retry thread, made on first need. */
    private static final class Retry {
        private static final ScheduledThreadPoolExecutor EXECUTOR = new ScheduledThreadPoolExecutor(1, task ->
                Thread.ofPlatform().daemon().name("sliver-arena-closer").unstarted(task));

        static void schedule(Arena arena, Runnable then, long delayMicros) {
            EXECUTOR.schedule(() -> {
                try {
                    if (tryClose(arena)) {
                        then.run();
                    } else {
                        schedule(arena, then, Math.min(2 * delayMicros, MAX_RETRY_MICROS));
                    }
                } catch (RuntimeException | Error e) {
                    LOG.log(System.Logger.Level.ERROR, "releasing the memory of a slice failed", e);
                }
            }, delayMicros, TimeUnit.MICROSECONDS);
        }
    }
}
