package dev.sliver.codec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Group commit: appends written at once and acknowledged together after one fsync, so that
 * records/s come near {@link RecordAppender.Durability#NONE}'s with the guarantee of
 * {@link RecordAppender.Durability#FORCE}: a record whose future completed normally survives a
 * power loss. The force happens when {@link Policy#records()} appends wait for it, or
 * {@link Policy#delay()} after the oldest of them, or at {@link #close()}.
 *
 * <p>Thread-safe: any number of threads may append; appends, the timer's force and
 * {@link #close()} take one lock, never a spin; the timer takes it only when a group is due, not
 * to find that a younger group waits (the lock is held through every fsync). Every future
 * completes, normally or exceptionally: those still waiting when {@link #close()} is called
 * complete before it returns. A future completes after the lock is released, on the thread that
 * forced its group (an appending thread, the timer thread or the closing one), so its callbacks may
 * append; a callback that blocks holds up only that thread (on the timer thread, the timer: its
 * own append is then forced when a group fills up, or at close), and {@link #close()} completes
 * the rest of that group itself. A failed force fails every future it covered and, as in
 * {@link RecordAppender}, the appender: later appends throw until reopened.
 */
public final class GroupCommitAppender implements AutoCloseable {
    /**
     * When a group is forced.
     *
     * @param records the most appends one force waits for, at least 1
     * @param delay   the longest an append waits for its force, positive and at most {@link #MAX_DELAY}
     */
    public record Policy(int records, Duration delay) {
        /** The longest delay: a day (the timer counts in nanoseconds; a longer one would overflow them once an append waits). */
        public static final Duration MAX_DELAY = Duration.ofDays(1);

        /** Validates the policy. */
        public Policy {
            Objects.requireNonNull(delay, "delay");
            if (records < 1 || delay.isNegative() || delay.isZero() || delay.compareTo(MAX_DELAY) > 0) {
                throw new IllegalArgumentException("group commit needs records >= 1 and a positive delay of at most "
                        + MAX_DELAY + ", got " + records + ", " + delay);
            }
        }
    }

    private final RecordAppender appender;
    private final Policy policy;
    private final Object lock = new Object();
    private final List<CompletableFuture<RecordAppender.Appended>> waiting = new ArrayList<>();
    private final List<RecordAppender.Appended> written = new ArrayList<>();
    /** Groups forced whose futures the forcing thread may not have completed yet: {@link #close()} completes them too. */
    private final List<Group> completing = new ArrayList<>();
    private final ScheduledExecutorService timer;
    /**
     * When the oldest waiting append is due for its force ({@link System#nanoTime()}); written
     * under the lock, read by the timer without it.
     */
    private volatile long due;
    /**
     * Whether a group is being forced (under the lock): a timer that finds it due then sleeps on
     * for a delay (the next group starts after this force, so it is not due before) instead of
     * waiting for the lock through the fsync.
     */
    private volatile boolean forcing;
    /**
     * Whether a timer task is pending. At most one is, and it is never cancelled: when it finds a
     * younger group waiting it sleeps again until that group is due, so a group costs no timer
     * work of its own (a schedule and a cancel per group woke the timer thread twice per fsync).
     */
    private boolean timerPending;
    private boolean closed;

    private GroupCommitAppender(RecordAppender appender, Policy policy) {
        this.appender = appender;
        this.policy = policy;
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task ->
                Thread.ofPlatform().daemon().name("sliver-group-commit " + appender.path()).unstarted(task));
        // Closing drops the pending task and interrupts nothing: the timer thread may be running
        // a user's callback, or forcing (an interrupt closes a FileChannel).
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.timer = timer;
    }

    /**
     * Opens (creating if needed) the file at {@code path}, as {@link RecordAppender#open} does
     * (its lock, recovery and errors), for group commit.
     *
     * @param path   the record file
     * @param policy when groups are forced
     * @return the appender
     * @throws IOException as {@link RecordAppender#open} does
     */
    public static GroupCommitAppender open(Path path, Policy policy) throws IOException {
        return open(Storage.DEFAULT, path, policy);
    }

    static GroupCommitAppender open(Storage storage, Path path, Policy policy) throws IOException {
        Objects.requireNonNull(policy, "policy");
        return new GroupCommitAppender(RecordAppender.open(storage, path, RecordAppender.Durability.NONE), policy);
    }

    /**
     * Appends one record of the arrays' bytes now.
     *
     * @param blobs the record's blobs
     * @return a future completed with where it went once a force covers it, or exceptionally if that force fails
     * @throws IOException           if the write failed (the appender is then failed)
     * @throws IllegalStateException if the appender is closed
     */
    public CompletableFuture<RecordAppender.Appended> append(List<byte[]> blobs) throws IOException {
        return append(AppendSources.arrays(blobs));
    }

    /**
     * Appends one record of the segments' bytes now.
     *
     * @param blobs the record's blobs
     * @return a future, as {@link #append(List)}
     * @throws IOException           if the write failed (the appender is then failed)
     * @throws IllegalStateException if the appender is closed
     */
    public CompletableFuture<RecordAppender.Appended> appendSegments(List<MemorySegment> blobs) throws IOException {
        return append(AppendSources.segments(blobs));
    }

    /**
     * Appends the record built in {@code writer} now.
     *
     * @param writer the record
     * @return a future, as {@link #append(List)}
     * @throws IOException           if the write failed (the appender is then failed)
     * @throws IllegalStateException if the appender is closed
     */
    public CompletableFuture<RecordAppender.Appended> append(RecordWriter writer) throws IOException {
        return append(writer::stageInto);
    }

    private CompletableFuture<RecordAppender.Appended> append(AppendBuffer.Source record) throws IOException {
        CompletableFuture<RecordAppender.Appended> ack = new CompletableFuture<>();
        Group full = null;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("appender of " + appender.path() + " is closed");
            }
            written.add(appender.write(record));
            waiting.add(ack);
            if (waiting.size() >= policy.records()) {
                full = forceGroup();
            } else if (waiting.size() == 1) {
                due = System.nanoTime() + policy.delay().toNanos();
                if (!timerPending) {
                    timerPending = true;
                    timer.schedule(this::forceOnTime, policy.delay().toNanos(), TimeUnit.NANOSECONDS);
                }
            }
        }
        if (full != null) {
            complete(full); // on this thread, the lock released
        }
        return ack;
    }

    /** {@return the complete records in the file, the appended ones included (acknowledged or not yet)} */
    public long records() {
        return appender.records();
    }

    private void forceOnTime() {
        long left = due - System.nanoTime(); // differences: nanoTime may wrap
        if (left > 0 || forcing) { // a younger group than this task was set for waits, or the due one is being forced
            try {
                timer.schedule(this::forceOnTime, left > 0 ? left : policy.delay().toNanos(), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
                // close forced what waited
            }
            return;
        }
        Group group;
        synchronized (lock) {
            timerPending = false;
            if (closed || waiting.isEmpty()) {
                return;
            }
            left = due - System.nanoTime();
            if (left > 0) { // forced and followed by a younger group since the look above
                timerPending = true;
                timer.schedule(this::forceOnTime, left, TimeUnit.NANOSECONDS);
                return;
            }
            group = forceGroup();
        }
        complete(group); // the lock released: a callback may append, and other threads go on meanwhile
    }

    /** Completes a group's futures, then forgets it; called without the lock. */
    private void complete(Group group) {
        group.acknowledge();
        synchronized (lock) {
            completing.removeIf(g -> g == group); // by identity: a record's equals would compare its lists
        }
    }

    /**
     * The futures of a forced group and what completes them, kept to be completed after the lock
     * is released. A future's callbacks run on the thread that completes it, and may append: under
     * the lock, such an append joined the group being acknowledged and was acknowledged with it,
     * after a force that did not cover it. Two threads may complete one group (its forcing thread
     * and {@link #close()}): a future takes the first completion, and its callbacks run once.
     */
    private record Group(List<CompletableFuture<RecordAppender.Appended>> futures, List<RecordAppender.Appended> records,
                         IOException failure) {
        void acknowledge() {
            for (int i = 0; i < futures.size(); i++) {
                if (failure == null) {
                    futures.get(i).complete(records.get(i));
                } else {
                    futures.get(i).completeExceptionally(failure);
                }
            }
        }
    }

    /** One force for every append waiting; returns the group to acknowledge once the lock is released. Holds {@link #lock}. */
    private Group forceGroup() {
        IOException failure = null;
        if (!waiting.isEmpty()) {
            forcing = true;
            try {
                appender.sync();
            } catch (IOException e) {
                failure = new IOException(appender.path() + ": the force of " + waiting.size() + " grouped records failed: "
                        + Reasons.of(e), e);
            } finally {
                forcing = false;
            }
        }
        Group group = new Group(List.copyOf(waiting), List.copyOf(written), failure);
        waiting.clear();
        written.clear();
        if (!group.futures().isEmpty()) {
            completing.add(group);
        }
        return group;
    }

    /**
     * Forces and acknowledges every append still waiting, then closes the file and its lock.
     *
     * @throws IOException if the final force failed (the waiting futures failed with it)
     */
    @Override
    public void close() throws IOException {
        Group last;
        List<Group> unfinished;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            unfinished = List.copyOf(completing); // forced by a thread still completing them (a callback may hold it up)
            last = forceGroup();
        }
        unfinished.forEach(Group::acknowledge);
        last.acknowledge();
        timer.shutdown();
        appender.close();
        if (last.failure() != null) {
            throw last.failure();
        }
    }
}
