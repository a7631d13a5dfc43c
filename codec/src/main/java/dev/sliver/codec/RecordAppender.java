package dev.sliver.codec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Appends records to the end of a file and tells where each one went: its byte offset and its
 * index. Any number of readers ({@link RecordFile}, {@link RecordReader}, positional reads) see
 * every record up to the last completed append, and at worst a torn tail after it, which they
 * ignore.
 *
 * <p><b>One writer per file.</b> Open takes the file's writer lock, across threads and processes
 * (an OS lock on {@code FILE.lock}, a file that stays beside the data, as Lucene's
 * {@code write.lock} does); a second appender, {@code sliver repair} or {@code pack} on the same
 * file fails at once with an error naming it, until this one is closed. Methods are synchronized:
 * one appender may be shared by threads. Each record is copied once into the appender's own
 * 256 KiB off-heap buffer (freed at {@link #close()}), checksummed there and written from there:
 * one write per record up to that size (see {@code AppendBuffer}).
 *
 * <p><b>Recovery.</b> Open surveys the file and its sidecar in bounded memory (see
 * {@link RecordFiles}): a torn tail after the last record (what a crash during an append leaves:
 * a record cut short, or zero bytes after a power loss) is cut, with one INFO line; anything else
 * (a bad record, a record the sidecar vouches for that is damaged or missing, a file that does not
 * start with a record) is corruption: open throws, naming the file, the record and the offset,
 * and changes nothing.
 *
 * <p><b>Durability.</b> {@link Durability#NONE}: {@link #append} returns once the bytes are in the
 * OS's page cache; they survive a crash of this process, not a power loss. {@link Durability#FORCE}:
 * each append returns only after an fsync, so an acknowledged record survives a power loss too.
 * {@link GroupCommitAppender}: one fsync for many appends, each acknowledged after it.
 *
 * <p><b>Failures.</b> A failed write is truncated back, and a failed force proves nothing (Linux
 * may drop the unwritten pages after EIO, and a retry would then succeed without them): after
 * either, this appender is <em>failed</em>: every later call throws, naming the first error, until
 * the file is reopened, which recovers from what the disk holds. So acknowledged indexes always
 * match the records on disk.
 *
 * <p><b>Integrity.</b> The sidecar {@code FILE.idx} gets an entry (offset, size, CRC32C) per
 * record, written only once the record's bytes were forced, so an entry proves its record durable:
 * FORCE writes it right after each force; NONE never forces on its own (as a raw write does not),
 * and writes the entries on {@link #force()} and {@link #close()}, after forcing the data. Up to
 * 4,096 entries wait in memory; past that the sidecar lags (see {@code AppenderEntries}): the
 * missing entries are rebuilt then from the records read back and checked against the checksums
 * computed as they were appended (records another program changed meanwhile fail the force and
 * the appender, and get no entry). The sidecar itself is forced on {@link #force()} and
 * {@link #close()}: after a crash or a power loss it may lag behind the data, and the next open
 * adds what it lacks.
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
     * Where an appended record went.
     *
     * @param offset the byte offset of its first byte in the file
     * @param index  its index among the file's records (0 for the first)
     * @param bytes  how many bytes it takes
     */
    public record Appended(long offset, long index, long bytes) {
    }

    private final Path path;
    private final DataFiles.Locked file;
    private final FileChannel data;
    /** The sidecar entries owed, written once their records are forced. */
    private final AppenderEntries entries;
    /** Each record goes through it: one copy, its checksum, one write. */
    private final AppendBuffer buffer;
    private final Durability durability;
    private long records;
    /** Where the file ends: this single writer's own count, never the file's size. */
    private long end;
    /** The first failed write or force, after which nothing more is appended; or null. */
    private IOException failure;
    private boolean closed;

    private RecordAppender(Path path, DataFiles.Locked file, SidecarWriter sidecar, Durability durability,
                           long records, long end) {
        this.path = path;
        this.file = file;
        this.data = file.channel();
        this.entries = new AppenderEntries(path, sidecar);
        this.buffer = new AppendBuffer(path);
        this.durability = durability;
        this.records = records;
        this.end = end;
    }

    /**
     * Opens (creating if needed) the file at {@code path} for appending, cutting off a torn tail.
     *
     * @param path       the record file
     * @param durability when appends are acknowledged
     * @return the appender, holding the file's lock until closed
     * @throws dev.sliver.core.CorruptRecordException if the file is corrupt (nothing changed)
     * @throws IOException if another writer holds the file, it is not a regular file, or an I/O error
     */
    public static RecordAppender open(Path path, Durability durability) throws IOException {
        return open(Storage.DEFAULT, path, durability);
    }

    static RecordAppender open(Storage storage, Path path, Durability durability) throws IOException {
        Objects.requireNonNull(durability, "durability");
        DataFiles.Locked file = DataFiles.openLocked(storage, path, true);
        SidecarWriter sidecar = null;
        try {
            FileChannel data = file.channel();
            Survey survey = RecordFiles.survey(data, path, false);
            if (survey.end == RecordWalk.End.CORRUPT) {
                throw RecordFiles.withAdvice(survey.corruption);
            }
            if (survey.end == RecordWalk.End.TORN) {
                RecordFiles.truncate(data, path, survey.validBytes);
                LOG.log(System.Logger.Level.INFO, path + ": cut " + survey.tailBytes()
                        + " bytes of a torn append after the last complete record, at byte " + survey.validBytes);
            } else {
                data.force(true); // the records a crashed writer left in the page cache, before entries vouch for them
            }
            long entries = SidecarWriter.mend(storage, data, path, survey);
            sidecar = SidecarWriter.open(storage, path, entries, durability == Durability.FORCE ? 64 : 4096);
            return new RecordAppender(path, file, sidecar, durability, survey.records, survey.validBytes);
        } catch (IOException | RuntimeException | Error e) {
            if (sidecar != null) {
                sidecar.close();
            }
            file.close();
            throw e;
        }
    }

    /**
     * Appends one record of the arrays' bytes.
     *
     * @param blobs the record's blobs
     * @return where it went
     * @throws IOException if it could not be written (or forced): the appender is then failed; except
     *                     when a blob's memory could not be read (a mapping truncated underneath):
     *                     then nothing of the record is in the file, the message says so, and the
     *                     appender goes on, as after a blob from a closed arena (the JDK's exception)
     */
    public Appended append(List<byte[]> blobs) throws IOException {
        return append(AppendSources.arrays(blobs));
    }

    /**
     * Appends one record of the segments' bytes (any size, on- or off-heap, mapped files too).
     *
     * @param blobs the record's blobs
     * @return where it went
     * @throws IOException if it could not be written (or forced): the appender is then failed; except
     *                     when a blob's memory could not be read (a mapping truncated underneath):
     *                     then nothing of the record is in the file, the message says so, and the
     *                     appender goes on, as after a blob from a closed arena (the JDK's exception)
     */
    public Appended appendSegments(List<MemorySegment> blobs) throws IOException {
        return append(AppendSources.segments(blobs));
    }

    /**
     * Appends the record built in {@code writer}; returns once it is as durable as this
     * appender's {@link Durability} says.
     *
     * @param writer the record
     * @return where it went
     * @throws IOException           if the write or the force failed: the appender is then failed (but see
     *                               {@link #append(List)} for a record whose memory could not be read)
     * @throws IllegalStateException if the appender is closed
     */
    public Appended append(RecordWriter writer) throws IOException {
        return append(writer::stageInto);
    }

    private synchronized Appended append(AppendBuffer.Source record) throws IOException {
        Appended written = write(record);
        if (durability == Durability.FORCE) {
            forceData("the record at byte " + written.offset() + " was written but the force failed");
            writeEntries(); // at once (not forced): a process killed now leaves its acknowledged records vouched for
        }
        return written;
    }

    /** Writes the record without forcing it; its entry waits for the next force. Group commit's half of an append. */
    synchronized Appended write(AppendBuffer.Source record) throws IOException {
        ensureUsable();
        long offset = end;
        long bytes;
        try {
            bytes = buffer.append(data, offset, record);
        } catch (AppendBuffer.UnreadableRecordException e) { // nothing of it in the file: the appender goes on
            throw e;
        } catch (IOException e) {
            throw fail(e);
        }
        end += bytes;
        entries.add(offset, records, bytes, buffer.crc()); // never a force here: past what it holds, the sidecar lags
        return new Appended(offset, records++, bytes);
    }

    /** Forces the data, then writes the pending entries: group commit's other half. */
    synchronized void sync() throws IOException {
        ensureUsable();
        forceData("forcing the appended records failed");
        writeEntries();
    }

    private void forceData(String what) throws IOException {
        try {
            data.force(false);
        } catch (IOException e) {
            throw fail(new IOException(path + ": " + what + " (" + Reasons.of(e) + "); the appender is failed: reopen "
                    + "it to recover from what the disk holds", e));
        }
    }

    private IOException fail(IOException e) {
        if (failure == null) {
            failure = e;
        }
        return e;
    }

    private void ensureUsable() throws IOException {
        if (closed) {
            throw new IllegalStateException("appender of " + path + " is closed");
        }
        if (failure != null) {
            throw new IOException(path + ": the appender failed earlier and appends nothing more until reopened: "
                    + Reasons.of(failure), failure);
        }
    }

    /**
     * Writes the entries of the records just forced (a failed sidecar write is logged: the next
     * open mends it); records that cannot be read back as appended fail the appender.
     */
    private void writeEntries() throws IOException {
        try {
            entries.recordsForced(data);
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /** {@return the complete records in the file, the appended ones included} */
    public synchronized long records() {
        return records;
    }

    /** {@return the file's path} */
    public Path path() {
        return path;
    }

    /**
     * Forces everything appended so far to disk, and the sidecar's entries for it. When more
     * than 4,096 records were appended since the last force, their entries are rebuilt from the
     * records read back: a force after a long run of {@code NONE} appends reads them once.
     *
     * @throws IOException if the force failed, or the records read back are not what was appended
     *                     (another program wrote to the file): the appender is then failed
     */
    public synchronized void force() throws IOException {
        sync();
        entries.force();
    }

    /**
     * Forces the data and the sidecar (so that every record appended is durable and listed, as
     * {@link #force()} does), then closes the file and releases its lock. A failed appender is
     * closed without forcing.
     *
     * @throws IOException if the final force failed, as {@link #force()} (the file is closed all the same)
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        try (file; entries; buffer) {
            if (failure == null) {
                sync();
                entries.force();
            }
        } finally {
            closed = true;
        }
    }
}
