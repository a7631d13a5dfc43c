package dev.sliver.codec;

import java.io.IOException;
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
 * Every rule of the sidecar {@code FILE.idx} in one place: its layout (see FORMAT.md), reading
 * it in bounded memory, what makes it foreign, damaged or stale, and writing it: entries appended
 * in place, or the whole file rebuilt aside and renamed over the old one (after setting the old
 * one aside), so that a crash never leaves less than there was.
 *
 * <p>What an entry vouches for: the appender writes an entry only once its record's bytes were
 * forced to disk, so an entry proves the record was durably acknowledged. Readers trust entries
 * only while they chain and agree with the records found in the data ({@link Survey}); an entry
 * that fails its own checksum, breaks the chain or points past the data ends what is trusted.
 */
final class Sidecar {
    static final long MAGIC = 0x3258444952564C53L; // "SLVRIDX2", little-endian
    static final int HEADER = 8;
    static final int ENTRY = 24;
    /** Entries read at a time: 64 KiB of them. */
    static final int ENTRIES_PER_READ = 2730;

    private Sidecar() {
    }

    /** @return the sidecar of the data file {@code data}: the same name plus {@code .idx} */
    static Path pathOf(Path data) {
        return data.resolveSibling(data.getFileName() + ".idx");
    }

    /**
     * Renames the sidecar of {@code data}, if there is one, out of the way (WARNING): for a data
     * file that starts anew, whose old sidecar would vouch for records it does not hold.
     */
    static void setAside(Path data, String why) throws IOException {
        Path path = pathOf(data);
        if (java.nio.file.Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            Path aside = asideName(path);
            java.nio.file.Files.move(path, aside);
            System.getLogger(Sidecar.class.getName()).log(System.Logger.Level.WARNING, path + ": set aside as "
                    + aside.getFileName() + " (" + why + ")");
        }
    }

    /** @return a new name beside the sidecar at {@code path} for setting it aside */
    static Path asideName(Path path) {
        String suffix = ".set-aside-" + System.currentTimeMillis();
        Path aside = beside(path, suffix);
        for (int n = 1; java.nio.file.Files.exists(aside, LinkOption.NOFOLLOW_LINKS); n++) {
            aside = beside(path, suffix + "." + n);
        }
        return aside;
    }

    /**
     * {@code file}'s name plus {@code suffix}, in the same directory; the name is shortened if the
     * whole would pass the 255 bytes most file systems allow (a sidecar of a 250-byte name has no
     * room for ".tmp" or ".set-aside-...").
     */
    static Path beside(Path file, String suffix) {
        String name = file.getFileName().toString();
        while (!name.isEmpty() && (name + suffix).getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
            name = name.substring(0, name.offsetByCodePoints(name.length(), -1));
        }
        return file.resolveSibling(name + suffix);
    }

    /** Encodes one entry into {@code out} at its position: offset, size, CRC32C, then the entry's own CRC32C. */
    static void putEntry(ByteBuffer out, long offset, long size, int crc) {
        int start = out.position();
        out.putLong(offset).putLong(size).putInt(crc);
        CRC32C self = new CRC32C();
        self.update(out.array(), out.arrayOffset() + start, ENTRY - Integer.BYTES);
        out.putInt((int) self.getValue());
    }

    /** The error for a record whose bytes do not match its entry's checksum. */
    static dev.sliver.core.CorruptRecordException mismatch(Object data, long index, long offset, int actual, int expected) {
        return new dev.sliver.core.CorruptRecordException(String.valueOf(data), offset, "record " + index + ": CRC32C 0x"
                + Integer.toHexString(actual) + " does not match the sidecar's 0x" + Integer.toHexString(expected));
    }

    /**
     * Reads the entries of a sidecar, 64 KiB at a time, while they are valid: each passes its own
     * checksum and starts where the previous record ended (whether it fits in the data is the
     * caller's question: an entry past the end means acknowledged records are missing). What stops the
     * reading early is kept in {@link #problem()}; a torn last entry (a crash while entries were
     * appended) is not a problem.
     */
    static final class Reader implements AutoCloseable {
        private final Path path;
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(ENTRIES_PER_READ * ENTRY).order(ByteOrder.LITTLE_ENDIAN);
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
        private long fileAt = HEADER;

        private Reader(Path path, long dataSize, FileChannel channel, boolean exists) {
            this.path = path;
            this.channel = channel;
            this.exists = exists;
            buffer.limit(0);
        }

        /**
         * Opens the sidecar of the data file {@code data}, of {@code dataSize} bytes. Never
         * throws for what the sidecar holds: a missing one reads as empty, a foreign one (not a
         * regular file, a link, the wrong magic) as empty with {@link #foreign()} set. A long one
         * is streamed like any other.
         *
         * @throws IOException only if the sidecar exists and cannot be read
         */
        static Reader open(Path data, long dataSize) throws IOException {
            Path path = pathOf(data);
            BasicFileAttributes attributes;
            try {
                attributes = java.nio.file.Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException missing) {
                return new Reader(path, dataSize, null, false);
            }
            if (!attributes.isRegularFile()) {
                return foreign(path, dataSize, "not a regular file (a link, a directory or a device)");
            }
            FileChannel channel;
            try {
                channel = FileChannel.open(path, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
            } catch (IOException e) {
                throw new IOException(path + ": cannot read the sidecar: " + Reasons.of(e), e);
            }
            Reader reader = new Reader(path, dataSize, channel, true);
            reader.fileSize = attributes.size();
            ByteBuffer magic = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            while (magic.hasRemaining() && channel.read(magic, magic.position()) > 0) {
                // the 8 bytes of the magic
            }
            if (attributes.size() == 0) {
                channel.close();
                return new Reader(path, dataSize, null, false); // created but never written: nothing to keep
            }
            if (magic.hasRemaining() || magic.getLong(0) != MAGIC) {
                channel.close();
                return foreign(path, dataSize, "not a Sliver sidecar (bad magic)");
            }
            return reader;
        }

        private static Reader foreign(Path path, long dataSize, String why) {
            Reader reader = new Reader(path, dataSize, null, true);
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
            return Math.min(Math.max(0, fileSize - HEADER) / ENTRY, dataSize / RecordHeader.BYTES);
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

        /** The one loop over entries: at most {@code max} of them, each added to {@code places} unless null. */
        private void advance(RecordPlaces places, long limit, long max) throws IOException {
            for (long taken = 0; taken < max && channel != null && problem == null
                    && (buffer.remaining() >= ENTRY || refill()); taken++) {
                int at = buffer.position();
                long offset = buffer.getLong(at);
                long size = buffer.getLong(at + Long.BYTES);
                int crc = buffer.getInt(at + 2 * Long.BYTES);
                int self = buffer.getInt(at + ENTRY - Integer.BYTES);
                check.reset();
                check.update(buffer.array(), at, ENTRY - Integer.BYTES);
                if ((int) check.getValue() != self || offset != end() || size < RecordHeader.BYTES
                        || size > Long.MAX_VALUE - offset) {
                    buffer.position(at + ENTRY);
                    problem = problem(fileAt + at, offset, size, (int) check.getValue() != self);
                    return;
                }
                if (size > limit - offset) {
                    return; // left for next()
                }
                buffer.position(at + ENTRY);
                entryOffset = offset;
                entrySize = size;
                entryCrc = crc;
                read++;
                if (places != null) {
                    places.add(offset, true, crc, path);
                }
            }
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
            return buffer.remaining() >= ENTRY;
        }

        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close();
            }
        }
    }
}
