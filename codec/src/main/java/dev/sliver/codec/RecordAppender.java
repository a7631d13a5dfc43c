package dev.sliver.codec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;

/**
 * Appends records to the end of a file and tells where each one went: its byte offset and its
 * index. One writer per file; any number of readers ({@link RecordFile}, {@link RecordReader},
 * positional reads) see every record up to the last completed append, and at worst a torn tail
 * after it, which they ignore.
 *
 * <p><b>Recovery.</b> Opening first finds the last complete record with a header scan (bounded
 * memory, see {@link RecordScanner}); if the file ends inside a record (a crash during an
 * append), those bytes are cut off and one INFO line says how many. A complete but inconsistent
 * record is corruption and is never cut: open throws instead.
 *
 * <p><b>Durability.</b> {@link Durability#NONE}: {@link #append} returns once the bytes are in the
 * OS's page cache; they survive a crash of this process, not a power loss or an OS crash.
 * {@link Durability#FORCE}: each append returns only after {@code fsync} ({@code FileChannel.force}),
 * so an acknowledged record survives a power loss too, at the cost of one disk flush per record.
 * {@link GroupCommit}: one fsync for a group of appends, each acknowledged after it (records/s
 * near NONE's, the guarantee of FORCE). A failed append (disk full, I/O error) truncates the
 * file back to where it was before throwing.
 *
 * <p><b>Integrity.</b> Beside the data file the appender keeps its sidecar, {@code FILE.idx}: per
 * record its offset, size and CRC32C (see FORMAT.md), always written after the data, in groups
 * of 64 entries and on {@link #force()} and {@link #close()} (forced then too). A crash can so
 * leave the sidecar up to a group behind: the next open adds those entries from the data. Open reconciles it with the data: entries that disagree are
 * reported and rebuilt, missing ones are added (their checksums then vouch for the bytes as they
 * are at that moment). {@link RecordFile#verify()} and {@code sliver verify} check records
 * against it.
 *
 * <p>Not thread-safe: one appending thread (readers are separate objects); with group commit a
 * timer thread may force the file, under a lock shared with {@link #appendGrouped}.
 */
public final class RecordAppender implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RecordAppender.class.getName());

    /** When an append is acknowledged; see the class comment for what each survives. */
    public enum Durability {
        /** After the write: survives a process crash. */
        NONE,
        /** After the write and an fsync: survives a power loss. */
        FORCE
    }

    /**
     * Group commit: one fsync for many records. {@link #appendGrouped} writes at once and
     * acknowledges (completes its future) only after a force that covers the record: the force
     * happens when {@code records} appends wait for it, or {@code delay} after the oldest of them.
     * An acknowledged record survives a power loss, as with {@link Durability#FORCE}.
     *
     * @param records the most appends one force waits for, at least 1
     * @param delay   the longest an append waits for its force
     */
    public record GroupCommit(int records, java.time.Duration delay) {
        /** Validates the policy. */
        public GroupCommit {
            if (records < 1 || delay.isNegative() || delay.isZero()) {
                throw new IllegalArgumentException("group commit needs records >= 1 and a positive delay, got "
                        + records + ", " + delay);
            }
        }
    }

    /**
     * Where an appended record went.
     *
     * @param offset the byte offset of its first byte in the file
     * @param index  its index among the file's records (0 for the first)
     * @param bytes  how many bytes it takes
     */
    public record Appended(long offset, long index, long bytes) {
    }

    /**
     * What recovery found.
     *
     * @param records    the complete records
     * @param validBytes where the last of them ends
     * @param tornBytes  the bytes after it that were (or, read-only, would be) cut off
     */
    public record Recovery(long records, long validBytes, long tornBytes) {
    }

    private final Path path;
    private final FileChannel file;
    private final FileChannel sidecar;
    private final RecordIndex index;
    private final Durability durability;
    private long records;
    /** Where the file ends: the position of the channel, kept there by this single writer. */
    private long end;
    /** Entries added to the index but not yet written to the sidecar (written in groups, see append). */
    private int unwrittenEntries;
    private boolean closed;
    /** Group commit, or null: the policy, the acknowledgements waiting for a force, and its timer. */
    private GroupCommit group;
    private final java.util.ArrayList<java.util.concurrent.CompletableFuture<Appended>> waiting = new java.util.ArrayList<>();
    private final java.util.ArrayList<Appended> waitingFor = new java.util.ArrayList<>();
    private java.util.concurrent.ScheduledExecutorService timer;
    private java.util.concurrent.ScheduledFuture<?> deadline;
    private final Object lock = new Object();

    private RecordAppender(Path path, FileChannel file, FileChannel sidecar, RecordIndex index, Durability durability,
                           long records) {
        this.path = path;
        this.file = file;
        this.sidecar = sidecar;
        this.index = index;
        this.durability = durability;
        this.records = records;
    }

    /** Sidecar entries are written in groups of this many (and on force and close). */
    private static final int ENTRY_GROUP = 64;

    /** Opens (creating if needed) the file at {@code path} for appending, cutting off a torn tail. */
    public static RecordAppender open(Path path, Durability durability) throws IOException {
        Objects.requireNonNull(durability, "durability");
        FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel sidecar = null;
        try {
            RecordIndex found = new RecordIndex();
            Recovery recovery = recover(file, path, found);
            if (recovery.tornBytes() > 0) {
                file.truncate(recovery.validBytes());
                file.force(true);
                LOG.log(System.Logger.Level.INFO, path + ": cut " + recovery.tornBytes()
                        + " bytes of a torn append after the last complete record, at byte " + recovery.validBytes());
            }
            RecordIndex index = reconcile(file, path, found);
            sidecar = FileChannel.open(RecordIndex.sidecarOf(path), StandardOpenOption.WRITE);
            if (durability == Durability.FORCE) {
                sidecar.force(true);
            }
            file.position(recovery.validBytes());
            RecordAppender appender = new RecordAppender(path, file, sidecar, index, durability, recovery.records());
            appender.end = recovery.validBytes();
            return appender;
        } catch (IOException | RuntimeException | Error e) {
            file.close();
            if (sidecar != null) {
                sidecar.close();
            }
            throw e;
        }
    }

    /**
     * Opens the file at {@code path} for group commit (see {@link GroupCommit}); {@link #append}
     * still works and acknowledges after the write, as {@link Durability#NONE} does.
     */
    public static RecordAppender open(Path path, GroupCommit policy) throws IOException {
        java.util.Objects.requireNonNull(policy, "policy");
        RecordAppender appender = open(path, Durability.NONE);
        appender.group = policy;
        appender.timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(task ->
                Thread.ofPlatform().daemon().name("sliver-group-commit").unstarted(task));
        return appender;
    }

    /**
     * Appends one record of the arrays' bytes now; the future completes once a force covers it
     * (or completes exceptionally if that force fails). Group commit only.
     *
     * @throws IllegalStateException if the appender was not opened with a {@link GroupCommit}
     */
    public java.util.concurrent.CompletableFuture<Appended> appendGrouped(List<byte[]> blobs) throws IOException {
        if (group == null) {
            throw new IllegalStateException("appender of " + path + " was not opened for group commit");
        }
        java.util.concurrent.CompletableFuture<Appended> ack = new java.util.concurrent.CompletableFuture<>();
        synchronized (lock) { // with the timer's force: a lock, never a spin
            Appended written = append(blobs);
            waiting.add(ack);
            waitingFor.add(written);
            if (waiting.size() >= group.records()) {
                forceGroup();
            } else if (waiting.size() == 1) {
                deadline = timer.schedule(this::forceGroupOnTime, group.delay().toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            }
        }
        return ack;
    }

    private void forceGroupOnTime() {
        synchronized (lock) {
            if (!closed) {
                forceGroup();
            }
        }
    }

    /** One force for every append waiting, then their acknowledgements. Holds {@link #lock}. */
    private void forceGroup() {
        if (waiting.isEmpty()) {
            return;
        }
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
        IOException failure = null;
        try {
            file.force(false);
        } catch (IOException e) {
            failure = new IOException(path + ": the force of " + waiting.size() + " grouped records failed: "
                    + Reasons.of(e), e);
        }
        for (int i = 0; i < waiting.size(); i++) {
            if (failure == null) {
                waiting.get(i).complete(waitingFor.get(i));
            } else {
                waiting.get(i).completeExceptionally(failure);
            }
        }
        waiting.clear();
        waitingFor.clear();
    }

    /** The sidecar of the record file at {@code data}: {@code FILE.idx} beside {@code FILE} (see FORMAT.md). */
    public static Path sidecarOf(Path data) {
        return RecordIndex.sidecarOf(data);
    }

    /**
     * Writes or completes, and forces, the sidecar of the file at {@code path} from its data (a
     * file written by other means, {@code Codec.write} or a copy, gets its checksums this way).
     */
    public static void index(Path path) throws IOException {
        open(path, Durability.FORCE).close();
    }

    /** What recovery would find in the file at {@code path}, changing nothing (a header scan, bounded memory). */
    public static Recovery recover(Path path) throws IOException {
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            return recover(file, path, new RecordIndex());
        }
    }

    /**
     * Cuts off the torn tail of the file at {@code path}, if it has one, and writes, completes or
     * mends its sidecar from the data; what {@code sliver repair} does.
     */
    public static Recovery repair(Path path) throws IOException {
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            RecordIndex found = new RecordIndex();
            Recovery recovery = recover(file, path, found);
            if (recovery.tornBytes() > 0) {
                file.truncate(recovery.validBytes());
                file.force(true);
            }
            reconcile(file, path, found); // writes the sidecar if missing, completes or mends it otherwise
            return recovery;
        }
    }

    /**
     * Scans the headers of {@code file} for the last complete record. The scan stops at the first
     * record that runs past the end of the file: that, and only that, is a torn tail.
     *
     * @throws dev.sliver.core.CorruptRecordException if a complete record is inconsistent
     */
    static Recovery recover(FileChannel file, Path path, RecordIndex found) throws IOException {
        long size = file.size();
        long count = 0;
        RecordScanner scan = new RecordScanner(new PositionalChannel(file, 0), path, Long.MAX_VALUE);
        for (;;) {
            long at = scan.position();
            if (at == size) {
                return new Recovery(count, at, 0);
            }
            if (runsPastTheEnd(file, at, size)) {
                return new Recovery(count, at, size - at);
            }
            RecordScanner.Header header = scan.next((index, offset, length) -> { });
            found.add(at, header.end() - at, 0);
            count++;
        }
    }

    /**
     * Brings the sidecar in line with the data, which is the authority: keeps the entries that
     * agree with the records found, reports (WARNING) and drops the first that does not and all
     * after it, and adds entries, with checksums of the bytes as they are now, for records the
     * sidecar lacks. Rewrites the sidecar if anything changed.
     */
    private static RecordIndex reconcile(FileChannel data, Path path, RecordIndex found) throws IOException {
        Path sidecar = RecordIndex.sidecarOf(path);
        RecordIndex index;
        try {
            index = RecordIndex.read(sidecar);
        } catch (dev.sliver.core.CorruptRecordException e) {
            LOG.log(System.Logger.Level.WARNING, Reasons.of(e) + "; rebuilding it from the data");
            index = new RecordIndex();
        }
        boolean changed = !java.nio.file.Files.exists(sidecar);
        if (index.problem != null) {
            LOG.log(System.Logger.Level.WARNING, index.problem + "; rebuilding it from the data from there");
            changed = true;
        }
        int agree = 0;
        while (agree < index.count() && agree < found.count()
                && index.offset(agree) == found.offset(agree) && index.size(agree) == found.size(agree)) {
            agree++;
        }
        changed |= agree < index.count();
        if (agree < index.count() && agree < found.count()) {
            LOG.log(System.Logger.Level.WARNING, sidecar + ": entry " + agree + " disagrees with record " + agree + " of "
                    + path + " at byte " + found.offset(agree) + "; rebuilt from the data from there");
        }
        index.truncate(agree);
        for (int i = agree; i < found.count(); i++) {
            index.add(found.offset(i), found.size(i), RecordIndex.crcOf(data, found.offset(i), found.size(i), path));
            changed = true;
        }
        if (changed) {
            index.writeTo(sidecar);
        }
        return index;
    }

    /** {@link RecordFormat#isTornTail} for the record at {@code at} of a file of {@code size} bytes. */
    private static boolean runsPastTheEnd(FileChannel file, long at, long size) throws IOException {
        if (size - at < 2 * RecordFormat.WORD) {
            return true;
        }
        ByteBuffer total = ByteBuffer.allocate(RecordFormat.WORD).order(ByteOrder.LITTLE_ENDIAN);
        while (total.hasRemaining() && file.read(total, at + total.position()) >= 0) {
            // positional reads until the 8 bytes are in
        }
        return RecordFormat.isTornTail(size - at, total.getLong(0));
    }

    /** Appends one record of the arrays' bytes. */
    public Appended append(List<byte[]> blobs) throws IOException {
        RecordWriter writer = new RecordWriter();
        for (byte[] blob : blobs) {
            writer.add(ByteBuffer.wrap(blob));
        }
        return append(writer);
    }

    /** Appends one record of the segments' bytes (any size, on- or off-heap, mapped files too). */
    public Appended appendSegments(List<MemorySegment> blobs) throws IOException {
        RecordWriter writer = new RecordWriter();
        for (MemorySegment blob : blobs) {
            writer.add(blob);
        }
        return append(writer);
    }

    /**
     * Appends the record built in {@code writer}; returns once it is as durable as this appender's
     * {@link Durability} says.
     *
     * @throws IOException if the write or the force failed; after a failed write the file was
     *                     truncated back (see {@link RecordWriter#appendTo}); after a failed force
     *                     the record is in the file but not known to be on disk
     */
    public Appended append(RecordWriter writer) throws IOException {
        if (closed) {
            throw new IllegalStateException("appender of " + path + " is closed");
        }
        long offset = end;
        int crc = writer.crc32c();
        long bytes = writer.appendAt(file, offset, path);
        end += bytes;
        if (durability == Durability.FORCE) {
            try {
                file.force(false);
            } catch (IOException e) {
                throw new IOException(path + ": the record at byte " + offset + " was written but the force failed: "
                        + Reasons.of(e), e);
            }
        }
        // The sidecar trails the data, so that it never indexes bytes that are not there; its
        // entries are written in groups (a crash loses at most a group, which the next open
        // rebuilds from the data; those checksums then vouch for the bytes as they are then).
        index.add(offset, bytes, crc);
        if (++unwrittenEntries >= ENTRY_GROUP) {
            writeEntries();
        }
        return new Appended(offset, records++, bytes);
    }

    /** Writes the entries not yet in the sidecar; failures are logged: the sidecar is a cache of the data. */
    private void writeEntries() {
        try {
            if (unwrittenEntries > 0) {
                index.writeEntries(sidecar, index.count() - unwrittenEntries, index.count());
                unwrittenEntries = 0;
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, RecordIndex.sidecarOf(path) + ": " + Reasons.of(e)
                    + "; the next open rebuilds the missing entries from the data");
        }
    }

    /** Complete records in the file, the appended ones included. */
    public long records() {
        return records;
    }

    /** Forces everything appended so far to disk (for {@link Durability#NONE}, at a moment of the caller's choice). */
    public void force() throws IOException {
        file.force(false);
        writeEntries();
        sidecar.force(false);
    }

    /** Closes the file (forcing it first when durable). */
    @Override
    public void close() throws IOException {
        if (!closed) {
            if (group != null) {
                synchronized (lock) {
                    forceGroup(); // every grouped append is acknowledged (or failed) before close returns
                }
                timer.shutdownNow();
            }
            closed = true;
            writeEntries();
            try (file; sidecar) {
                if (durability == Durability.FORCE) {
                    file.force(true);
                    sidecar.force(true);
                }
            }
        }
    }
}
