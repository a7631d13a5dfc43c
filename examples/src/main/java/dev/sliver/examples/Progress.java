package dev.sliver.examples;

import java.io.PrintStream;

/**
 * Progress on stderr for work that lasts more than a second, only when a person is watching
 * (a console is attached); silent otherwise, so scripts and pipes see nothing.
 */
final class Progress {
    private static final long QUIET_NANOS = 1_000_000_000L;
    private static final long EVERY_NANOS = 250_000_000L;

    private final PrintStream err;
    private final String what;
    private final long total;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long lastPrint;
    private boolean printed;

    Progress(PrintStream err, String what, long total) {
        this.err = err;
        this.what = what;
        this.total = total;
        this.enabled = System.console() != null && err == System.err;
    }

    void update(long done) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - start < QUIET_NANOS || now - lastPrint < EVERY_NANOS) {
            return;
        }
        lastPrint = now;
        printed = true;
        err.print("\r" + what + " " + done + (total > 0 ? "/" + total : ""));
        err.flush();
    }

    void done() {
        if (printed) {
            err.println();
        }
    }
}
