package dev.sliver.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * The blobs of one record: a payload in one block of memory, cut into consecutive blobs.
 *
 * <p>A batch costs a constant number of heap objects whatever its blob count: blob boundaries
 * are read from an off-heap table of end offsets, and a {@link Slice} object is made only when
 * {@link #get(int)} asks for one. Views from {@code get} are borrowed: valid while the batch is
 * open; {@code get(i).retain()} keeps one alive past {@link #close()}.
 *
 * <p>Thread-safe for reading; {@link #close()} must happen after every reader is done.
 */
public final class Batch implements Iterable<Slice>, AutoCloseable {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Slice payload;
    private final MemorySegment ends;
    private final int count;

    private Batch(Slice payload, MemorySegment ends, int count) {
        this.payload = payload;
        this.ends = ends;
        this.count = count;
    }

    /**
     * Makes a batch over {@code payload}, taking over the caller's reference to it.
     *
     * @param payload the concatenated blobs; the batch releases this reference on {@link #close()}
     * @param ends    one little-endian u64 per blob: the offset in {@code payload} where the blob
     *                ends (so blob {@code i} is {@code [ends[i-1], ends[i])}, with {@code ends[-1] = 0}).
     *                Must stay readable while the batch is open, typically inside the payload's
     *                own block. A table that is not non-decreasing and within the payload makes
     *                {@link #get} throw {@link IndexOutOfBoundsException}.
     * @return a batch that owns the payload reference
     */
    public static Batch of(Slice payload, MemorySegment ends) {
        Objects.requireNonNull(payload, "payload");
        if (ends.byteSize() % Long.BYTES != 0 || ends.byteSize() / Long.BYTES > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("end-offset table of " + ends.byteSize()
                    + " bytes is not a whole number of u64 entries of at most Integer.MAX_VALUE entries");
        }
        return new Batch(payload, ends, (int) (ends.byteSize() / Long.BYTES));
    }

    /** {@return the number of blobs} */
    public int size() {
        return count;
    }

    /** {@return the total payload bytes: the sum of every blob's length} */
    public long totalBytes() {
        payload.ensureAlive();
        return payload.length();
    }

    /**
     * {@return the length of blob {@code index}}, without making a view.
     *
     * @param index the blob's index, from 0 to {@link #size()} - 1
     */
    public long length(int index) {
        return end(index) - start(index);
    }

    /**
     * A borrowed view of blob {@code index}: valid while this batch is open; {@code retain()} it
     * to keep it longer.
     *
     * @param index the blob's index, from 0 to {@link #size()} - 1
     * @return a view of the blob's bytes, holding no reference of its own
     */
    public Slice get(int index) {
        long start = start(index);
        long end = end(index);
        if (start > end || end > payload.length()) {
            throw new IndexOutOfBoundsException("blob " + index + " spans [" + start + ", " + end
                    + ") outside a payload of " + payload.length() + " bytes");
        }
        return payload.borrow(start, end);
    }

    private long start(int index) {
        return index == 0 ? 0 : end(index - 1);
    }

    private long end(int index) {
        payload.ensureAlive();
        Objects.checkIndex(index, count);
        return ends.get(U64, (long) index * Long.BYTES);
    }

    /** {@return whether {@link #close()} has not yet been called} */
    public boolean isOpen() {
        return payload.refCount() > 0;
    }

    /**
     * Releases the batch's hold on the record's memory; it goes back to its allocator once no
     * retained view remains.
     *
     * @throws IllegalStateException if the batch was already closed
     */
    @Override
    public void close() {
        if (payload.refCount() == 0) {
            throw new IllegalStateException("batch of " + count + " blobs (" + payload.length() + " bytes) is closed");
        }
        payload.release();
    }

    /** Iterates the blobs in order as borrowed views. */
    @Override
    public Iterator<Slice> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < count;
            }

            @Override
            public Slice next() {
                if (next >= count) {
                    throw new NoSuchElementException();
                }
                return get(next++);
            }
        };
    }

    @Override
    public String toString() {
        return "Batch[blobs=" + count + ", bytes=" + payload.length() + (isOpen() ? "" : ", closed") + "]";
    }
}
