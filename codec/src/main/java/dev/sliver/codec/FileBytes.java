package dev.sliver.codec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/**
 * Random read access to the bytes of a record file, whatever holds them: a block of memory
 * ({@link SegmentBytes}), a mapping ({@link SegmentBytes#mapped}), or a file read through a
 * window ({@link FileWindow}). {@link RecordWalk} and {@link Sidecar} check files through this,
 * so every mode applies the same rules. Not thread-safe.
 */
interface FileBytes {
    /** @return how many bytes the file holds */
    long size();

    /**
     * A view of {@code [at, at + length)}, valid until the next call; {@code length} is at most
     * {@link #maxView()}.
     *
     * @throws IOException if the file cannot be read there (it shrank, an I/O error), naming it
     */
    MemorySegment view(long at, long length) throws IOException;

    /** @return the longest view {@link #view} gives */
    long maxView();

    /**
     * Adds {@code [from, to)} to {@code crc}. The one rule: no JDK intrinsic ever runs directly
     * over memory that a file someone else controls backs (a truncation under a mapping would kill
     * the JVM with SIGBUS); such bytes are first copied through {@code MemorySegment}, whose
     * accessors turn the fault into an exception.
     *
     * @throws IOException if the bytes cannot be read, naming the file and offset
     */
    void crc(CRC32C crc, long from, long to) throws IOException;

    /** @return the little-endian u64 at {@code at} */
    default long u64(long at) throws IOException {
        return view(at, RecordFormat.WORD).get(RecordFormat.U64, 0);
    }

    /** @return whether every byte of {@code [from, to)} is zero (what a power loss leaves after the last forced byte) */
    default boolean allZero(long from, long to) throws IOException {
        for (long at = from; at < to; ) {
            long n = Math.min(Math.min(maxView(), ZEROS.byteSize()), to - at);
            if (MemorySegment.mismatch(view(at, n), 0, n, ZEROS, 0, n) >= 0) { // vectorized: a sparse GiB in a blink
                return false;
            }
            at += n;
        }
        return true;
    }

    /** 64 KiB of zeros to compare with. */
    MemorySegment ZEROS = MemorySegment.ofArray(new byte[64 * 1024]);
}
