package dev.sliver.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Writes a sidecar: entries appended in place by an open appender ({@link #add}, {@link #flush}),
 * entries computed from records read back ({@link #addFromData}: a lagging appender's and an
 * open's, one walk for both), and the two ways of bringing a sidecar in line with its data after
 * a {@link Survey} ({@link #mend}): appending the entries it lacks, or rebuilding it whole, aside,
 * then renaming it over the old one, which is first set aside under another name, never
 * overwritten.
 *
 * <p>The invariant every caller keeps: an entry is written only after its record's bytes were
 * forced, so that an entry on disk proves its record is durable. Not thread-safe.
 */
final class SidecarWriter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SidecarWriter.class.getName());
    private static final int ENTRIES_PER_WRITE = 2730; // 64 KiB

    /** Writing to the sidecar failed (not reading the data): the sidecar is a cache, the next open mends it. */
    static final class WriteFailedException extends IOException {
        private static final long serialVersionUID = 1L;

        WriteFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final ByteBuffer pending;
    private long entries;

    private SidecarWriter(Path path, FileChannel channel, long entries, int capacity) {
        this.path = path;
        this.channel = channel;
        this.entries = entries;
        this.pending = ByteBuffer.allocate(capacity * Sidecar.ENTRY).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Opens the sidecar of {@code data}, which holds {@code entries} valid entries (a mended one),
     * to append after them.
     *
     * @param capacity how many entries {@link #add} may hold before a {@link #flush}
     */
    static SidecarWriter open(Storage storage, Path data, long entries, int capacity) throws IOException {
        Path path = Sidecar.pathOf(data);
        try {
            return new SidecarWriter(path, storage.open(path, Set.of(StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)),
                    entries, capacity);
        } catch (IOException e) {
            throw new IOException(path + ": cannot open the sidecar: " + Reasons.of(e), e);
        }
    }

    /** @return whether {@link #add} has room for another entry */
    boolean full() {
        return !pending.hasRemaining();
    }

    /** @return entries added and not yet written */
    int pending() {
        return pending.position() / Sidecar.ENTRY;
    }

    /** Adds the entry of a record whose bytes are forced, or will be before the next {@link #flush}. */
    void add(long offset, long size, int crc) {
        Sidecar.putEntry(pending, offset, size, crc);
    }

    /** Writes the pending entries after the last written one (not forced). The caller forced their records first. */
    void flush() throws IOException {
        pending.flip();
        try {
            write(pending);
        } finally {
            pending.clear();
        }
    }

    /** Drops the pending entries unwritten: their records are then {@linkplain #addFromData read back} later, or by the next open. */
    void drop() {
        pending.clear();
    }

    /** Writes the entries in {@code buffer} after the last written one; {@link #entries} counts those written before a failure. */
    private void write(ByteBuffer buffer) throws IOException {
        try {
            long at = Sidecar.HEADER + entries * Sidecar.ENTRY;
            while (buffer.hasRemaining()) {
                channel.write(buffer, at + buffer.position());
            }
        } catch (IOException e) {
            throw new WriteFailedException(path + ": writing entries failed: " + Reasons.of(e), e);
        } finally {
            entries += buffer.position() / Sidecar.ENTRY;
        }
    }

    /** {@return the entries the sidecar holds, those it was opened with included} */
    long entries() {
        return entries;
    }

    /**
     * Cuts the sidecar back to its first {@code n} entries, dropping the pending ones: entries
     * written since that vouch for bytes that turned out not to be what was appended.
     */
    void cutTo(long n) throws IOException {
        pending.clear();
        try {
            channel.truncate(Sidecar.HEADER + n * Sidecar.ENTRY);
        } catch (IOException e) {
            throw new IOException(path + ": cutting the sidecar back to " + n + " entries failed: " + Reasons.of(e), e);
        }
        entries = n;
    }

    /**
     * Computes the entries of the records in {@code [from, to)} of the data file from its bytes,
     * read back through {@code data} in bounded memory (a 1 MiB window, 64 KiB of entries), and
     * writes them after the last written one, before any pending entry. The records must be forced
     * already, and be records {@code [fromIndex, toIndex)}.
     *
     * @return the sum of the records' CRC32Cs (unsigned), for a caller that knows what they should be
     * @throws WriteFailedException if writing the entries failed
     * @throws IOException           if the data cannot be read, or is not those records whole (it changed)
     */
    long addFromData(FileChannel data, Path dataPath, long from, long fromIndex, long to, long toIndex) throws IOException {
        FileWindow window = new FileWindow(data, dataPath, to);
        RecordWalk walk = new RecordWalk(window, dataPath, from, fromIndex, false);
        ByteBuffer out = ByteBuffer.allocate((int) Math.min(ENTRIES_PER_WRITE, Math.max(1, toIndex - fromIndex))
                * Sidecar.ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        long crcSum = 0;
        for (RecordHeader header = walk.next(); header != null; header = walk.next()) {
            crc.reset();
            window.crc(crc, header.offset(), header.end());
            crcSum += crc.getValue();
            Sidecar.putEntry(out, header.offset(), header.size(), (int) crc.getValue());
            if (!out.hasRemaining()) {
                write(out.flip());
                out.clear();
            }
        }
        write(out.flip());
        if (walk.end() != RecordWalk.End.CLEAN || walk.index() != toIndex) { // these were records whole: they changed since
            throw new IOException(dataPath + ": the file changed while its sidecar entries were computed, at byte "
                    + walk.position() + " (" + (walk.corruption() != null ? walk.corruption().reason()
                    : walk.index() + " records where " + toIndex + " were") + ")");
        }
        return crcSum;
    }

    /** Forces the written entries to disk. */
    void force() throws IOException {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new IOException(path + ": forcing the sidecar failed: " + Reasons.of(e), e);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /**
     * Brings the sidecar of the file at {@code path} in line with its data, as {@code survey}
     * found them: appends the entries it lacks (their checksums then vouch for the bytes as they
     * are now), or, if it is missing, foreign, damaged or disagrees, sets it aside (WARNING) and
     * rebuilds it atomically, keeping the checksums of the entries it vouched with. The data's
     * records up to {@code survey.validBytes} must be forced already.
     *
     * @return the sidecar's valid entries: {@code survey.records}
     */
    static long mend(Storage storage, FileChannel data, Path path, Survey survey) throws IOException {
        if (survey.sidecarAppendable) {
            if (survey.vouched < survey.records) {
                try (SidecarWriter writer = open(storage, path, survey.vouched, 0)) {
                    writer.addFromData(data, path, survey.vouchedEnd, survey.vouched, survey.validBytes, survey.records);
                    writer.force();
                }
            }
            return survey.records;
        }
        Path sidecar = Sidecar.pathOf(path);
        if (survey.sidecarExists) {
            Path aside = Sidecar.asideName(sidecar);
            if (survey.sidecarForeign) {
                storage.move(sidecar, aside); // not a sidecar of this data: nothing of it to keep in place
            } else {
                storage.link(aside, sidecar); // a second name: the rename below replaces only the first
            }
            LOG.log(System.Logger.Level.WARNING, survey.sidecarProblem + "; set aside as " + aside.getFileName()
                    + " and rebuilt from the data (checksums kept for the first " + survey.vouched + " records)");
        }
        // A new name, created new: never a file (a hard link to the data, a FIFO, the user's) that happens to be there.
        Path temporary = Sidecar.beside(sidecar, ".tmp-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current()
                .nextLong() >>> 16));
        try (FileChannel out = storage.open(temporary, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS))) {
            ByteBuffer magic = ByteBuffer.allocate(Sidecar.HEADER).order(ByteOrder.LITTLE_ENDIAN).putLong(Sidecar.MAGIC).flip();
            while (magic.hasRemaining()) {
                out.write(magic, magic.position());
            }
            if (survey.vouched > 0) {
                copyEntries(sidecar, out, survey.vouched);
            }
            SidecarWriter writer = new SidecarWriter(temporary, out, survey.vouched, 0);
            writer.addFromData(data, path, survey.vouchedEnd, survey.vouched, survey.validBytes, survey.records);
            writer.force();
        } catch (IOException | RuntimeException e) {
            try {
                java.nio.file.Files.deleteIfExists(temporary);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new IOException(temporary + ": rebuilding the sidecar failed: " + Reasons.of(e), e);
        }
        storage.move(temporary, sidecar);
        storage.forceDirectory(sidecar.toAbsolutePath().getParent());
        return survey.records;
    }

    /** Copies the first {@code n} entries of the old sidecar, which the survey found valid, 64 KiB at a time. */
    private static void copyEntries(Path sidecar, FileChannel out, long n) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(ENTRIES_PER_WRITE * Sidecar.ENTRY);
        try (FileChannel in = FileChannel.open(sidecar, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            long end = Sidecar.HEADER + n * Sidecar.ENTRY;
            for (long at = Sidecar.HEADER; at < end; ) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), end - at));
                while (buffer.hasRemaining()) {
                    if (in.read(buffer, at + buffer.position()) < 0) {
                        throw new IOException(sidecar + ": shrank while it was copied at byte " + (at + buffer.position()));
                    }
                }
                buffer.flip();
                while (buffer.hasRemaining()) {
                    out.write(buffer, at + buffer.position());
                }
                at += buffer.limit();
            }
        }
    }
}
