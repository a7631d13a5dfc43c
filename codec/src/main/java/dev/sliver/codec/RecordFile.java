package dev.sliver.codec;

import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import dev.sliver.core.Slice;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;

/**
 * An open file of records, whole, in one segment: read into one block of the allocator
 * ({@link Mode#READ}) or mapped in one mapping ({@link Mode#MAP}, for files of any size, larger
 * than RAM included). {@link #get} returns record {@code i} in O(1) as a {@link Batch} of views
 * into that one segment. One implementation per mode behind this front door.
 *
 * <p><b>What open accepts.</b> The rules of {@link RecordFiles}: a torn tail (what an interrupted
 * append leaves) is ignored and reported ({@link #tornBytes()}, and a WARNING); corruption (a bad
 * record, or one the sidecar vouches for that is missing or damaged) makes open throw a
 * {@link CorruptRecordException} naming the file, the record and the offset, except for the
 * records a MAP open takes from the sidecar without reading them (below). A reader never changes
 * the file or its sidecar; a sidecar that is foreign or disagrees is reported (WARNING) and not
 * trusted from there.
 *
 * <p><b>Opening with the sidecar (MAP).</b> When every entry of the sidecar {@code FILE.idx}
 * passes its own checksum and chains from offset 0 within the file, and its first and last
 * entries agree with the records at their offsets (each checked whole: header, lengths and, up
 * to 1 MiB, its CRC32C), open takes the records' places from it without reading the records
 * between: reading one word of each would fault in every page of the file. The records after its
 * last entry are walked, so a file shorter than its sidecar says, or a torn tail, is found at
 * open. Each record's total_length, count and lengths are checked when {@link #get} takes it (a
 * record that disagrees with its place throws, naming the file, record and offset), and its
 * bytes by {@link #verify()} and {@link #getVerified}. Every place lies within the file, whatever
 * the sidecar holds.
 *
 * <p><b>Integrity.</b> Records the sidecar vouches for carry its CRC32C: {@link #verify()} checks
 * them and {@link #getVerified} checks one before returning it. Nothing else computes a record's
 * checksum but a MAP open, for the sidecar's two end records (above); open checks each sidecar
 * entry's own CRC32C (a damaged entry ends what the sidecar vouches for), and {@link #get} checks
 * a record's format, not its bytes.
 *
 * <p><b>Lifetimes.</b> The file's memory is freed (or unmapped) once the file is closed and every
 * batch and retained slice taken from it is released, whatever the order. Calls after
 * {@link #close()} throw {@link IllegalStateException} and never touch memory given back.
 *
 * <p><b>A mapped file changed underneath.</b> Sliver cannot stop another program from truncating
 * or rewriting a mapped file; it can stop that from crashing the JVM: {@link #get} and
 * {@link #verify()} then throw (an {@link java.io.UncheckedIOException} from {@code get}, whose
 * cause names the file and offset). Views already taken throw {@link InternalError} from the JDK.
 *
 * <p>Thread-safe: any number of threads may call {@link #get} and {@link #verify()} at once.
 */
public abstract sealed class RecordFile implements Iterable<Batch>, AutoCloseable permits ReadRecordFile, MappedRecordFile {
    static final System.Logger LOG = System.getLogger(RecordFile.class.getName());

    /** How the file gets into memory. */
    public enum Mode {
        /** Read into one block of {@link ReadOptions#allocator()}: touched memory, fastest to visit. */
        READ,
        /** Mapped read-only in one mapping: nothing is read until visited; files larger than RAM work. */
        MAP
    }

    final Path path;
    /** Holds the file's one segment; its last release frees or unmaps it. */
    final Slice memory;
    final FileBytes bytes;
    final long[] offsets;
    final int size;
    final long validBytes;
    /** CRC32C of records {@code 0..crcs.length-1}: those the sidecar vouches for. */
    final int[] crcs;
    private final AtomicBoolean closed = new AtomicBoolean();

    RecordFile(Path path, Slice memory, FileBytes bytes, RecordPlaces index) {
        this.path = path;
        this.memory = memory;
        this.bytes = bytes;
        this.offsets = index.offsets();
        this.size = index.size;
        this.validBytes = index.validBytes;
        this.crcs = index.crcs();
    }

    /**
     * Reads the file at {@code path} into one block of the default allocator.
     *
     * @param path a record file
     * @return the open file
     * @throws CorruptRecordException if it is corrupt
     * @throws IOException            if it cannot be read
     */
    public static RecordFile open(Path path) throws IOException {
        return open(path, Mode.READ, ReadOptions.defaults());
    }

    /**
     * Opens the file at {@code path} in {@code mode}; memory comes from {@code options.allocator()}
     * (the whole file in READ mode; in MAP mode only the offset table of a batch of more than
     * 8,192 blobs, a smaller one being on the heap).
     *
     * @param path    a record file
     * @param mode    how the file gets into memory
     * @param options the allocator (and, for READ, the name used in errors is always the path)
     * @return the open file
     * @throws CorruptRecordException if it is corrupt
     * @throws IOException            if it cannot be read, is not a regular file, or does not fit in memory (READ)
     */
    public static RecordFile open(Path path, Mode mode, ReadOptions options) throws IOException {
        Objects.requireNonNull(mode, "mode");
        return mode == Mode.READ ? ReadRecordFile.open(path, options) : MappedRecordFile.open(path, options);
    }

    /** {@return the number of complete records} */
    public int size() {
        return size;
    }

    /**
     * {@return the byte offset of record {@code i} in the file}
     *
     * @param i a record index
     */
    public long offset(int i) {
        return offsets[Objects.checkIndex(i, size)];
    }

    /** {@return where the last complete record ends: the length a recovered file should have} */
    public long validBytes() {
        return validBytes;
    }

    /** {@return bytes after the last complete record (a torn append), ignored; 0 for a clean file} */
    public long tornBytes() {
        return bytes.size() - validBytes;
    }

    /** {@return the file's path} */
    public Path path() {
        return path;
    }

    /** {@return how many records have a checksum (from the sidecar); the rest cannot be verified} */
    public int checksummedRecords() {
        return crcs.length;
    }

    /**
     * Record {@code i} as a batch of views into the file's segment, in O(1) (MAP mode: plus one
     * pass over its length table). The batch keeps the file's memory alive: close it.
     *
     * @param i a record index
     * @return the record
     * @throws IllegalStateException     if this file is closed
     * @throws IndexOutOfBoundsException if there is no record {@code i}
     * @throws java.io.UncheckedIOException if a mapped file changed underneath (its cause names the file and offset)
     */
    public Batch get(int i) {
        Objects.checkIndex(i, size);
        retain();
        try {
            return record(i);
        } finally {
            memory.release();
        }
    }

    /** Record {@code i}; the caller holds a reference to {@link #memory}. */
    abstract Batch record(int i);

    /** The CRC32C of record {@code i}'s bytes as they are in the file; the caller holds a reference. */
    abstract int crcOf(int i) throws IOException;

    /** @return the size in bytes of record {@code i}, as found at open */
    final long sizeOf(int i) {
        return (i + 1 < size ? offsets[i + 1] : validBytes) - offsets[i];
    }

    /**
     * Checks every record that has a checksum against it.
     *
     * @return how many were checked
     * @throws CorruptRecordException naming the first record whose bytes do not match, and its offset
     * @throws IOException            if a mapped file shrank underneath
     * @throws IllegalStateException  if this file is closed
     */
    public int verify() throws IOException {
        retain();
        try {
            for (int i = 0; i < crcs.length; i++) {
                check(i);
            }
            return crcs.length;
        } finally {
            memory.release();
        }
    }

    /**
     * Record {@code i}, checked against its checksum first.
     *
     * @param i a record index
     * @return the record
     * @throws CorruptRecordException if its bytes do not match the sidecar's CRC32C
     * @throws IllegalStateException  if it has no checksum (see {@link #checksummedRecords()}), or the file is closed
     * @throws IOException            if a mapped file shrank underneath
     */
    public Batch getVerified(int i) throws IOException {
        if (Objects.checkIndex(i, size) >= crcs.length) {
            throw new IllegalStateException(path + ": record " + i + " has no checksum (the sidecar covers "
                    + crcs.length + " records)");
        }
        retain();
        try {
            check(i);
            return record(i);
        } finally {
            memory.release();
        }
    }

    private void check(int i) throws IOException {
        int actual = crcOf(i);
        if (actual != crcs[i]) {
            throw Sidecar.mismatch(path, i, offsets[i], actual, crcs[i]);
        }
    }

    /** The CRC32C of bytes {@code [from, to)} through {@link #bytes} (safe over a mapping). */
    final int crc(long from, long to) throws IOException {
        CRC32C crc = new CRC32C();
        bytes.crc(crc, from, to);
        return (int) crc.getValue();
    }

    private void retain() {
        if (closed.get()) {
            throw new IllegalStateException("record file " + path + " is closed");
        }
        try {
            memory.retain();
        } catch (IllegalStateException released) {
            throw new IllegalStateException("record file " + path + " is closed", released);
        }
    }

    /** {@return the records in order; close each batch} */
    @Override
    public Iterator<Batch> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public Batch next() {
                if (next >= size) {
                    throw new NoSuchElementException();
                }
                return get(next++);
            }
        };
    }

    /** Drops this file's reference to its memory; batches taken from it stay valid until closed. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            memory.release();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + path + ", " + size + " records"
                + (tornBytes() > 0 ? ", " + tornBytes() + " torn bytes" : "") + "]";
    }

    /** Reports what open found that it did not throw for: a torn tail, a sidecar not trusted. */
    static void report(Path path, long tornBytes, long validBytes, String sidecarProblem) {
        if (tornBytes > 0) {
            LOG.log(System.Logger.Level.WARNING, path + ": " + tornBytes + " bytes after the last complete record "
                    + "(a torn append) are ignored, from byte " + validBytes);
        }
        if (sidecarProblem != null) {
            LOG.log(System.Logger.Level.WARNING, sidecarProblem + "; its entries from there are not trusted");
        }
    }
}
