package dev.sliver.codec;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import static dev.sliver.codec.RecordFormat.U64;
import static dev.sliver.codec.RecordFormat.WORD;

/**
 * An appender's own off-heap buffer, through which each record goes to the file: its header,
 * lengths and payload are copied in, the CRC32C of the sidecar entry is computed over the copy,
 * and the copy is written with one positional write per buffer-full, so a record that fits takes
 * one copy, one checksum pass over memory already in cache, and one write system call. (A
 * gathering write of heap buffers would copy them into the JDK's temporary direct buffers all the
 * same, and the checksum would be a second pass over the caller's memory.)
 *
 * <p>The checksum intrinsic only ever reads this buffer, memory that is ours and stays mapped
 * while the buffer is open: a caller's blob may be a mapping of a file another program truncates,
 * and the intrinsic over a vanished page kills the JVM (SIGBUS), where the segment copy into this
 * buffer throws instead.
 *
 * <p><b>Failures leave the file as it was.</b> A record larger than the buffer is written in
 * pieces; if anything fails after a piece was written, the file is cut back to where the record
 * began. If a blob's memory could not be read (a truncated mapping) and the file is as it was, the
 * exception is an {@link UnreadableRecordException}: nothing was appended and the appender may go
 * on. Any other exception is an {@code IOException} saying whether the cut worked.
 *
 * <p>Not thread-safe: its appender's lock guards it. Closing frees the memory; using it after
 * that throws {@link IllegalStateException}.
 */
final class AppendBuffer implements AutoCloseable {
    /** Bytes staged per write: one write for any record up to this size, header included. */
    static final int CAPACITY = 256 * 1024;

    /** One way of putting a record's header and blobs into the buffer. */
    @FunctionalInterface
    interface Source {
        /**
         * Stages the whole record, with {@link #header}, {@link #length} and the {@code put} methods.
         *
         * @param buffer where it goes
         * @throws IOException if the buffer could not write a full piece to the file
         */
        void stageInto(AppendBuffer buffer) throws IOException;
    }

    /** The record to append could not be read; nothing of it is in the file. */
    static final class UnreadableRecordException extends IOException {
        private static final long serialVersionUID = 1L;

        UnreadableRecordException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Path path;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment stage = arena.allocate(CAPACITY, WORD);
    /** The stage as a buffer, for the channel's write and the checksum. */
    private final ByteBuffer view = stage.asByteBuffer();
    private final CRC32C crc = new CRC32C();
    private FileChannel file;
    /** Where the record being appended begins. */
    private long start;
    /** Its bytes already written to the file, and staged after them. */
    private long written;
    private int staged;
    /** Whether a piece is being written: a failure then is the file's, not the record's. */
    private boolean writing;
    /** Bytes of the record staged so far (header included), for errors about its memory. */
    private long consumed;
    /**
     * What the header promised: the record's bytes, its blobs and their bytes; and the lengths
     * staged so far and their sum. A source whose blobs change under it (a list another thread
     * edits) must not write a record its header contradicts: that would hide every later record.
     */
    private long promisedBytes;
    private int promisedBlobs;
    private long promisedPayload;
    private int lengths;
    private long lengthSum;

    /**
     * A buffer appending to the file at {@code path}.
     *
     * @param path names the file in errors
     */
    AppendBuffer(Path path) {
        this.path = path;
    }

    /**
     * Appends the record {@code source} stages at byte {@code at} of {@code file}, which ends there.
     *
     * @return the record's bytes, header included; {@link #crc()} is then its checksum
     * @throws UnreadableRecordException if a blob's memory could not be read: the file is as it was
     * @throws IOException               if the write failed: the file is cut back to {@code at}, or the message says it could not be
     */
    long append(FileChannel file, long at, Source source) throws IOException {
        if (!arena.scope().isAlive()) {
            throw new IllegalStateException(path + ": the append buffer is closed");
        }
        this.file = file;
        start = at;
        written = 0;
        staged = 0;
        consumed = 0;
        promisedBytes = -1;
        promisedBlobs = 0;
        promisedPayload = 0;
        lengths = 0;
        lengthSum = 0;
        writing = false;
        crc.reset();
        try {
            source.stageInto(this);
            if (promisedBytes < 0 || consumed != promisedBytes || lengths != promisedBlobs || lengthSum != promisedPayload) {
                throw changed();
            }
            writeStaged();
            return written;
        } catch (IOException | RuntimeException | Error e) {
            throw undo(e);
        } finally {
            this.file = null;
        }
    }

    /** {@return the CRC32C of the last record appended, over its bytes as written} */
    int crc() {
        return (int) crc.getValue();
    }

    /** Stages total_length and count, for {@code count} blobs of {@code payload} bytes in all: the record's first call. */
    void header(int count, long payload) throws IOException {
        if (count < 0 || count > RecordHeader.MAX_COUNT) {
            throw new IllegalArgumentException(count + " blobs exceed the " + RecordHeader.MAX_COUNT + " a record may have");
        }
        long total = Math.addExact(WORD * (count + 1L), payload);
        promisedBytes = WORD + total;
        promisedBlobs = count;
        promisedPayload = payload;
        word(total);
        word(count);
    }

    /** Stages the length of the next blob, after {@link #header}. */
    void length(long value) throws IOException {
        if (lengths == promisedBlobs) {
            throw changed();
        }
        lengths++;
        lengthSum += value;
        word(value);
    }

    /** The record's blobs are not what its header said. */
    private java.util.ConcurrentModificationException changed() {
        return new java.util.ConcurrentModificationException(path + ": the record to append at byte " + start
                + " changed while it was staged: its header promised " + promisedBlobs + " blobs of " + promisedPayload
                + " bytes, it has staged " + lengths + " lengths adding up to " + lengthSum + " and " + consumed
                + " of its " + promisedBytes + " bytes; nothing of it is appended");
    }

    /** Stages one u64 of the header (little-endian). */
    private void word(long value) throws IOException {
        if (CAPACITY - staged < WORD) {
            writeStaged();
        }
        stage.set(U64, staged, value);
        staged += WORD;
        consumed += WORD;
    }

    /** Stages the bytes of {@code blob}. */
    void put(byte[] blob) throws IOException {
        promise(blob.length);
        for (int at = 0; at < blob.length; ) {
            if (staged == CAPACITY) {
                writeStaged();
            }
            int n = Math.min(CAPACITY - staged, blob.length - at);
            MemorySegment.copy(blob, at, stage, ValueLayout.JAVA_BYTE, staged, n);
            staged += n;
            consumed += n;
            at += n;
        }
    }

    /** Stages the remaining bytes of {@code blob} (heap or direct); its position does not move. */
    void put(ByteBuffer blob) throws IOException {
        put(MemorySegment.ofBuffer(blob));
    }

    /** Stages the bytes of {@code blob}, of any size, on- or off-heap, mapped too. */
    void put(MemorySegment blob) throws IOException {
        long size = blob.byteSize();
        promise(size);
        for (long at = 0; at < size; ) {
            if (staged == CAPACITY) {
                writeStaged();
            }
            int n = (int) Math.min(CAPACITY - staged, size - at);
            MemorySegment.copy(blob, at, stage, staged, n); // a vanished page throws InternalError here, never SIGBUS
            staged += n;
            consumed += n;
            at += n;
        }
    }

    /** Refuses payload past what the header promised, before any of it is staged. */
    private void promise(long bytes) {
        if (lengths != promisedBlobs || bytes > promisedBytes - consumed) {
            throw changed();
        }
    }

    /** Checksums the staged bytes and writes them after those already written. */
    private void writeStaged() throws IOException {
        view.limit(staged).position(0);
        crc.update(view); // our own memory: the intrinsic cannot meet a vanished page here
        view.position(0);
        writing = true;
        while (view.hasRemaining()) {
            file.write(view, start + written + view.position());
        }
        writing = false;
        written += staged;
        staged = 0;
    }

    /** Cuts what was written of the record and says what happened. */
    private IOException undo(Throwable e) {
        String undo = "nothing was written";
        boolean intact = true;
        if (written > 0 || writing) {
            try {
                file.truncate(start);
                undo = "the file was cut back to " + start + " bytes";
            } catch (IOException | RuntimeException truncation) {
                e.addSuppressed(truncation);
                intact = false;
                undo = "and cutting the file back to " + start + " bytes failed too (" + Reasons.of(truncation)
                        + "): it now ends in a partial record";
            }
        }
        if (!writing && intact) { // the record's memory failed, not the file
            if (e instanceof RuntimeException runtime && written == 0) {
                throw runtime; // a closed or foreign segment, an overflowing size: the caller's mistake, as the JDK reports it
            }
            String why = e instanceof InternalError ? "a blob's memory vanished near byte " + consumed
                    + " of the record (a mapped input file truncated by another program?)" : Reasons.of(e);
            return new UnreadableRecordException(path + ": the record to append at byte " + start
                    + " could not be read: " + why + "; " + undo, e);
        }
        return new IOException(path + ": append failed (" + Reasons.of(e) + "), " + undo + " at byte " + start, e);
    }

    /** Frees the buffer's memory. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
