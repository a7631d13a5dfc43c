package dev.sliver.codec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Group commit: appends written at once and acknowledged together after one fsync, so that
 * records/s come near {@link RecordAppender.Durability#NONE}'s with the guarantee of
 * {@link RecordAppender.Durability#FORCE}: a record whose future completed normally survives a
 * power loss. The force happens when {@link Policy#records()} appends wait for it, or
 * {@link Policy#delay()} after the oldest of them, or at {@link #close()}.
 *
 * <p>Thread-safe: any number of threads may append; appends, the timer's force and
 * {@link #close()} take one lock, never a spin. Every future completes, normally or
 * exceptionally, by the time {@link #close()} returns. A failed force fails every future it
 * covered and, as in {@link RecordAppender}, the appender: later appends throw until reopened.
 */
public final class GroupCommitAppender implements AutoCloseable {
    /**
     * When a group is forced.
     *
     * @param records the most appends one force waits for, at least 1
     * @param delay   the longest an append waits for its force, positive
     */
    public record Policy(int records, Duration delay) {
        /** Validates the policy. */
        public Policy {
            Objects.requireNonNull(delay, "delay");
            if (records < 1 || delay.isNegative() || delay.isZero()) {
                throw new IllegalArgumentException("group commit needs records >= 1 and a positive delay, got "
                        + records + ", " + delay);
            }
        }
    }

    private final RecordAppender appender;
    private final Policy policy;
    private final Object lock = new Object();
    private final List<CompletableFuture<RecordAppender.Appended>> waiting = new ArrayList<>();
    private final List<RecordAppender.Appended> written = new ArrayList<>();
    private final ScheduledExecutorService timer;
    /** When the oldest waiting append came ({@link System#nanoTime()}). */
    private long oldest;
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
        this.timer = Executors.newSingleThreadScheduledExecutor(task ->
                Thread.ofPlatform().daemon().name("sliver-group-commit " + appender.path()).unstarted(task));
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
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("appender of " + appender.path() + " is closed");
            }
            written.add(appender.write(record));
            waiting.add(ack);
            if (waiting.size() >= policy.records()) {
                forceGroup();
            } else if (waiting.size() == 1) {
                oldest = System.nanoTime();
                if (!timerPending) {
                    timerPending = true;
                    timer.schedule(this::forceOnTime, policy.delay().toNanos(), TimeUnit.NANOSECONDS);
                }
            }
        }
        return ack;
    }

    /** {@return the complete records in the file, the appended ones included (acknowledged or not yet)} */
    public long records() {
        return appender.records();
    }

    private void forceOnTime() {
        synchronized (lock) {
            timerPending = false;
            if (closed || waiting.isEmpty()) {
                return;
            }
            long due = policy.delay().toNanos() - (System.nanoTime() - oldest); // differences: nanoTime may wrap
            if (due > 0) { // the group this task was set for was forced; a younger one waits
                timerPending = true;
                timer.schedule(this::forceOnTime, due, TimeUnit.NANOSECONDS);
            } else {
                forceGroup();
            }
        }
    }

    /** One force for every append waiting, then their acknowledgements; returns the failure, if any. Holds {@link #lock}. */
    private IOException forceGroup() {
        if (waiting.isEmpty()) {
            return null;
        }
        IOException failure = null;
        try {
            appender.sync();
        } catch (IOException e) {
            failure = new IOException(appender.path() + ": the force of " + waiting.size() + " grouped records failed: "
                    + Reasons.of(e), e);
        }
        for (int i = 0; i < waiting.size(); i++) {
            if (failure == null) {
                waiting.get(i).complete(written.get(i));
            } else {
                waiting.get(i).completeExceptionally(failure);
            }
        }
        waiting.clear();
        written.clear();
        return failure;
    }

    /**
     * Forces and acknowledges every append still waiting, then closes the file and its lock.
     *
     * @throws IOException if the final force failed (the waiting futures failed with it)
     */
    @Override
    public void close() throws IOException {
        IOException failure;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            failure = forceGroup();
        }
        timer.shutdownNow();
        appender.close();
        if (failure != null) {
            throw failure;
        }
    }
}
