package dev.sliver.codec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32C;

/**
 * A record file held in one segment: a block Sliver owns (the file read into memory) or a
 * mapping of the file. Over a block, checksums use the CRC32C intrinsic directly; over a
 * mapping, whose pages vanish if someone truncates the file, bytes are copied through
 * {@code MemorySegment} first (see {@link FileBytes#crc}), and a fault becomes an
 * {@link IOException} naming the file.
 *
 * <p>Thread-safe: each copy through the heap has a buffer of its own call (any number of threads
 * may verify one mapped file at once).
 */
final class SegmentBytes implements FileBytes {
    private static final int COPY = 64 * 1024;

    private final MemorySegment segment;
    private final Object name;
    private final boolean mapped;

    private SegmentBytes(MemorySegment segment, Object name, boolean mapped) {
        this.segment = segment;
        this.name = name;
        this.mapped = mapped;
    }

    /** @return the bytes of a block Sliver owns, which nobody else can shrink */
    static SegmentBytes owned(MemorySegment segment, Object name) {
        return new SegmentBytes(segment, name, false);
    }

    /** @return the bytes of a mapping, which a truncation of the file can take away */
    static SegmentBytes mapped(MemorySegment segment, Object name) {
        return new SegmentBytes(segment, name, true);
    }

    @Override
    public long size() {
        return segment.byteSize();
    }

    @Override
    public MemorySegment view(long at, long length) {
        return segment.asSlice(at, length);
    }

    @Override
    public long maxView() {
        return Long.MAX_VALUE;
    }

    @Override
    public long u64(long at) throws IOException {
        try {
            return segment.get(RecordFormat.U64, at);
        } catch (InternalError fault) {
            throw vanished(at, fault);
        }
    }

    @Override
    public boolean allZero(long from, long to) throws IOException {
        if (!mapped) {
            return FileBytes.super.allZero(from, to);
        }
        long at = from;
        byte[] copy = buffer(from, to);
        try {
            for (; at < to; ) { // through the heap: a vectorized compare over a vanished page is not protected
                int n = (int) Math.min(COPY, to - at);
                copy(at, copy, n);
                if (java.util.Arrays.mismatch(copy, 0, n, ZERO_BYTES, 0, n) >= 0) {
                    return false;
                }
                at += n;
            }
        } catch (InternalError fault) { // delivered late: see copy
            throw vanished(at, fault);
        }
        return true;
    }

    private static final byte[] ZERO_BYTES = new byte[COPY];

    /** A heap buffer for copying {@code [from, to)} through, one piece at a time: this call's own. */
    private static byte[] buffer(long from, long to) {
        return new byte[(int) Math.max(0, Math.min(COPY, to - from))];
    }

    /**
     * Copies {@code n} bytes from {@code at} into {@code copy} through the segment's protected copy.
     * The JVM turns the fault on a vanished page into an asynchronous InternalError, which it may
     * deliver only after the copy returned (seen under PIT's instrumented JVM): the loops that call
     * this catch it too.
     */
    private void copy(long at, byte[] copy, int n) throws IOException {
        try {
            MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, at, copy, 0, n);
        } catch (InternalError fault) {
            throw vanished(at, fault);
        }
    }

    @Override
    public void crc(CRC32C crc, long from, long to) throws IOException {
        if (!mapped) {
            for (long at = from; at < to; at += 1 << 30) {
                crc.update(segment.asSlice(at, Math.min(1 << 30, to - at)).asByteBuffer());
            }
            return;
        }
        long at = from;
        byte[] copy = buffer(from, to);
        try {
            for (; at < to; ) {
                int n = (int) Math.min(COPY, to - at);
                copy(at, copy, n);
                crc.update(copy, 0, n);
                at += n;
            }
        } catch (InternalError fault) { // delivered late: see copy
            throw vanished(at, fault);
        }
    }

    /** A mapped page that is no longer backed by the file: it was truncated while mapped. */
    IOException vanished(long at, InternalError fault) {
        return new IOException(name + ": the file shrank while it was mapped (truncated by another program?) at byte "
                + at, fault);
    }
}
