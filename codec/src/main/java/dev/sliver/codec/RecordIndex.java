package dev.sliver.codec;

import dev.sliver.core.CorruptRecordException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The sidecar of a record file, {@code FILE.idx} beside {@code FILE}: one 24-byte entry per
 * record (its offset, its size and a CRC32C of its bytes) after an 8-byte magic, see FORMAT.md.
 * The data file stays exactly the record format; the sidecar is a cache of it plus checksums,
 * never its authority: entries must agree with the data (offsets chained record after record,
 * sizes equal to the headers') or they are reported, and a missing or lagging sidecar is
 * rebuilt from the data.
 *
 * <p>What a checksum vouches for: one written by the appender covers the bytes as they were
 * appended; one rebuilt from the data covers the bytes as they were when rebuilt (it catches
 * later damage, not damage done before). Not thread-safe.
 */
final class RecordIndex {
    static final long MAGIC = 0x3158444952564C53L; // "SLVRIDX1", little-endian
    static final int HEADER = 8;
    static final int ENTRY = 24;
    private static final int CRC_BUFFER = 64 * 1024;

    private long[] offsets = new long[16];
    private long[] sizes = new long[16];
    private int[] crcs = new int[16];
    private int count;
    /** Why {@link #read} stopped before the end of the sidecar, or null if it read every entry. */
    String problem;

    /** The sidecar path of {@code data}: the same name with {@code .idx} added. */
    static Path sidecarOf(Path data) {
        return data.resolveSibling(data.getFileName() + ".idx");
    }

    int count() {
        return count;
    }

    long offset(int i) {
        return offsets[i];
    }

    long size(int i) {
        return sizes[i];
    }

    int crc(int i) {
        return crcs[i];
    }

    /** Where the indexed records end in the data file. */
    long end() {
        return count == 0 ? 0 : offsets[count - 1] + sizes[count - 1];
    }

    void add(long offset, long size, int crc) {
        if (count == offsets.length) {
            offsets = Arrays.copyOf(offsets, count * 2);
            sizes = Arrays.copyOf(sizes, count * 2);
            crcs = Arrays.copyOf(crcs, count * 2);
        }
        offsets[count] = offset;
        sizes[count] = size;
        crcs[count] = crc;
        count++;
    }

    /** Drops the entries from {@code n} on. */
    void truncate(int n) {
        count = Math.min(count, n);
    }

    /**
     * Reads the sidecar at {@code idx}; a missing file is an empty index. Entries are kept while
     * they chain (each starts where the previous ended); a torn last entry (a crash while the
     * sidecar was appended) is dropped. The first entry that breaks the chain ends the index, and
     * {@link #problem} says why, for the caller to report.
     *
     * @throws CorruptRecordException if the file is not a sidecar (bad magic)
     */
    static RecordIndex read(Path idx) throws IOException {
        RecordIndex index = new RecordIndex();
        if (!Files.exists(idx)) {
            return index;
        }
        byte[] bytes = Files.readAllBytes(idx);
        if (bytes.length == 0) {
            return index;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < HEADER || in.getLong() != MAGIC) {
            throw new CorruptRecordException(idx.toString(), 0, "not a Sliver sidecar index (bad magic)");
        }
        for (int i = 0; in.remaining() >= ENTRY; i++) {
            long at = in.position();
            long offset = in.getLong();
            long size = in.getLong();
            int crc = in.getInt();
            in.getInt(); // reserved
            if (offset != index.end() || size < 2 * RecordFormat.WORD) {
                index.problem = idx + ": entry " + i + " (offset " + offset + ", size " + size
                        + ") does not follow the previous record, which ends at " + index.end() + ", at byte " + at;
                break;
            }
            index.add(offset, size, crc);
        }
        return index;
    }

    /** Writes the whole index to {@code idx}, replacing it. */
    void writeTo(Path idx) throws IOException {
        try (FileChannel out = FileChannel.open(idx, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN).putLong(MAGIC).flip();
            while (header.hasRemaining()) {
                out.write(header);
            }
            writeEntries(out, 0, count);
        }
    }

    /** Writes entries {@code [from, to)} into the open sidecar {@code out} (which has its magic), in one buffer. */
    void writeEntries(FileChannel out, int from, int to) throws IOException {
        ByteBuffer entries = ByteBuffer.allocate((to - from) * ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i++) {
            entries.putLong(offsets[i]).putLong(sizes[i]).putInt(crcs[i]).putInt(0);
        }
        entries.flip();
        long at = HEADER + (long) from * ENTRY;
        while (entries.hasRemaining()) {
            out.write(entries, at + entries.position());
        }
    }

    /** The error for record {@code i} at {@code offset} of {@code data} whose bytes do not match its entry's checksum. */
    static CorruptRecordException checksumMismatch(Path data, int i, long offset, int actual, int expected) {
        return new CorruptRecordException(data.toString(), offset, "record " + i + ": CRC32C 0x"
                + Integer.toHexString(actual) + " does not match the sidecar's 0x" + Integer.toHexString(expected));
    }

    /** The CRC32C of {@code size} bytes of {@code data} from {@code offset}, read in 64 KiB pieces. */
    static int crcOf(FileChannel data, long offset, long size, Path name) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocateDirect((int) Math.min(CRC_BUFFER, Math.max(size, 1)));
        for (long done = 0; done < size; ) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), size - done));
            int n = data.read(buffer, offset + done);
            if (n < 0) {
                throw new CorruptRecordException(name.toString(), offset + done, "the file ends inside an indexed record");
            }
            buffer.flip();
            crc.update(buffer);
            done += n;
        }
        return (int) crc.getValue();
    }
}
