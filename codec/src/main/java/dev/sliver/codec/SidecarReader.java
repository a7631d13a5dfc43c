package dev.sliver.codec;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Reads the entries of a sidecar, 64 KiB at a time, while they are valid: each passes its own
 * checksum and starts where the previous record ended (whether it fits in the data is the
 * caller's question: an entry past the end means acknowledged records are missing). What stops the
 * reading early is kept in {@link #problem()}; a torn last entry (a crash while entries were
 * appended) is not a problem.
 */
final class SidecarReader implements AutoCloseable {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private final Path path;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(Sidecar.ENTRIES_PER_READ * Sidecar.ENTRY);
    private final boolean exists;
    /** Reused for every entry's own checksum. */
    private final CRC32C check = new CRC32C();
    private long fileSize;
    private String problem;
    private boolean foreign;
    private long read;
    private long entryOffset;
    private long entrySize;
    private int entryCrc;
    private long fileAt = Sidecar.HEADER;

    private SidecarReader(Path path, FileChannel channel, boolean exists) {
        this.path = path;
        this.channel = channel;
        this.exists = exists;
        buffer.limit(0);
    }

    /**
     * Opens the sidecar of the data file {@code data}. Never
     * throws for what the sidecar holds: a missing one reads as empty, a foreign one (not a
     * regular file, a link, the wrong magic) as empty with {@link #foreign()} set. A long one
     * is streamed like any other.
     *
     * @throws IOException only if the sidecar exists and cannot be read
     */
    static SidecarReader open(Path data) throws IOException {
        Path path = Sidecar.pathOf(data);
        BasicFileAttributes attributes;
        try {
            attributes = java.nio.file.Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException missing) {
            return new SidecarReader(path, null, false);
        }
        if (!attributes.isRegularFile()) {
            return foreign(path, "not a regular file (a link, a directory or a device)");
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw new IOException(path + ": cannot read the sidecar: " + Reasons.of(e), e);
        }
        SidecarReader reader = new SidecarReader(path, channel, true);
        reader.fileSize = attributes.size();
        ByteBuffer magic = ByteBuffer.allocate(Sidecar.HEADER).order(ByteOrder.LITTLE_ENDIAN);
        while (magic.hasRemaining() && channel.read(magic, magic.position()) > 0) {
            // the 8 bytes of the magic
        }
        if (attributes.size() == 0) {
            channel.close();
            return new SidecarReader(path, null, false); // created but never written: nothing to keep
        }
        if (magic.hasRemaining() || magic.getLong(0) != Sidecar.MAGIC) {
            channel.close();
            return foreign(path, "not a Sliver sidecar (bad magic)");
        }
        return reader;
    }

    private static SidecarReader foreign(Path path, String why) {
        SidecarReader reader = new SidecarReader(path, null, true);
        reader.foreign = true;
        reader.problem = path + ": " + why;
        return reader;
    }

    /** @return whether a file is there at all (a foreign one included) */
    boolean exists() {
        return exists;
    }

    /** @return whether the file there is not a sidecar of this data: set it aside, never overwrite it */
    boolean foreign() {
        return foreign;
    }

    /** @return why reading stopped before the end, or null */
    String problem() {
        return problem;
    }

    /** @return how many valid entries were read so far */
    long entries() {
        return read;
    }

    /**
     * @return how many entries the sidecar's size has room for, at most as many as records
     *         of {@code dataSize} bytes can be (each is at least a 16-byte header): a size to
     *         prepare for, not a count of valid entries
     */
    long entriesWithin(long dataSize) {
        return Math.min(Math.max(0, fileSize - Sidecar.HEADER) / Sidecar.ENTRY, dataSize / RecordHeader.BYTES);
    }

    /** @return where the entries read so far end in the data */
    long end() {
        return read == 0 ? 0 : entryOffset + entrySize;
    }

    long offset() {
        return entryOffset;
    }

    long size() {
        return entrySize;
    }

    int crc() {
        return entryCrc;
    }

    /**
     * Moves to the next valid entry.
     *
     * @return false at the end of the sidecar or at the first entry that is not valid (then
     *         {@link #problem()} says why)
     */
    boolean next() throws IOException {
        long before = read;
        advance(null, Long.MAX_VALUE, 1);
        return read > before;
    }

    /**
     * Moves over the valid entries from here on that end within {@code limit}, adding each to
     * {@code places} as a vouched place, in one loop: a million calls of {@link #next()} cost
     * a quarter of the open of a file of a million records. Stops at the end of the sidecar,
     * at the first entry that is not valid ({@link #problem()}), or before the first that
     * ends past {@code limit}, which {@link #next()} then reads.
     */
    void addTo(RecordPlaces places, long limit) throws IOException {
        advance(places, limit, Long.MAX_VALUE);
    }

    /**
     * The one loop over entries: at most {@code max} of them, each added to {@code places} unless
     * null. Each buffer's entries are checked in an inner loop on locals, read from its array
     * (a million entries: the fields and the buffer's own checks cost more than the reads).
     */
    private void advance(RecordPlaces places, long limit, long max) throws IOException {
        long taken = 0;
        while (taken < max && channel != null && problem == null
                && (buffer.remaining() >= Sidecar.ENTRY || refill())) {
            byte[] bytes = buffer.array();
            int at = buffer.position();
            int lastStart = buffer.limit() - Sidecar.ENTRY;
            long end = end();
            long count = read;
            long offset = entryOffset;
            long size = entrySize;
            int crc = entryCrc;
            for (; at <= lastStart && taken < max; at += Sidecar.ENTRY, taken++) {
                long nextOffset = (long) LONG.get(bytes, at);
                long nextSize = (long) LONG.get(bytes, at + Long.BYTES);
                check.reset();
                check.update(bytes, at, Sidecar.ENTRY - Integer.BYTES);
                boolean damaged = (int) check.getValue() != (int) INT.get(bytes, at + Sidecar.ENTRY - Integer.BYTES);
                if (damaged || nextOffset != end || nextSize < RecordHeader.BYTES || nextSize > Long.MAX_VALUE - nextOffset) {
                    keep(at + Sidecar.ENTRY, count, offset, size, crc);
                    problem = problem(fileAt + at, nextOffset, nextSize, damaged);
                    return;
                }
                if (nextSize > limit - nextOffset) {
                    keep(at, count, offset, size, crc); // this entry is left for next()
                    return;
                }
                offset = nextOffset;
                size = nextSize;
                crc = (int) INT.get(bytes, at + 2 * Long.BYTES);
                end = offset + size;
                count++;
                if (places != null) {
                    places.add(offset, true, crc, path);
                }
            }
            keep(at, count, offset, size, crc);
        }
    }

    /** Stores where the loop stopped: the buffer's position and the last valid entry. */
    private void keep(int position, long count, long offset, long size, int crc) {
        buffer.position(position);
        read = count;
        entryOffset = offset;
        entrySize = size;
        entryCrc = crc;
    }

    /**
     * Why the entry at byte {@code where} of the sidecar is not valid: built apart from the
     * loop over a million entries, which it would only make larger.
     */
    private String problem(long where, long offset, long size, boolean damaged) {
        if (damaged) {
            return path + ": entry " + read + " fails its own checksum (the sidecar is damaged) at byte " + where;
        }
        if (offset != end()) {
            return path + ": entry " + read + " starts at " + offset + ", not where the previous record ends ("
                    + end() + ") at byte " + where;
        }
        return path + ": entry " + read + " has an impossible size " + size + " at byte " + where;
    }

    private boolean refill() throws IOException {
        fileAt += buffer.position(); // the bytes consumed; a partial entry's bytes stay
        buffer.compact();
        while (buffer.hasRemaining()) {
            int n;
            try {
                n = channel.read(buffer, fileAt + buffer.position());
            } catch (IOException e) {
                throw new IOException(path + ": " + Reasons.of(e) + " at byte " + (fileAt + buffer.position()), e);
            }
            if (n <= 0) {
                break;
            }
        }
        buffer.flip();
        return buffer.remaining() >= Sidecar.ENTRY;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
