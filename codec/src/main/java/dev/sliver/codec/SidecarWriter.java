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
 * and the two ways of bringing a sidecar in line with its data after a {@link Survey}
 * ({@link #mend}): appending the entries it lacks, or rebuilding it whole, aside, then renaming
 * it over the old one, which is first set aside under another name, never overwritten.
 *
 * <p>The invariant every caller keeps: an entry is written only after its record's bytes were
 * forced, so that an entry on disk proves its record is durable. Not thread-safe.
 */
final class SidecarWriter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SidecarWriter.class.getName());
    private static final int ENTRIES_PER_WRITE = 2730; // 64 KiB

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
            long at = Sidecar.HEADER + entries * Sidecar.ENTRY;
            while (pending.hasRemaining()) {
                channel.write(pending, at + pending.position());
            }
        } catch (IOException e) {
            throw new IOException(path + ": writing entries failed: " + Reasons.of(e), e);
        } finally {
            entries += pending.position() / Sidecar.ENTRY;
            pending.clear();
        }
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
                try (SidecarWriter writer = open(storage, path, survey.vouched, ENTRIES_PER_WRITE)) {
                    addEntries(data, path, survey, writer);
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
            SidecarWriter writer = new SidecarWriter(temporary, out, survey.vouched, ENTRIES_PER_WRITE);
            addEntries(data, path, survey, writer);
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

    /** Computes and writes the entries of records {@code [survey.vouched, survey.records)} from the data. */
    private static void addEntries(FileChannel data, Path path, Survey survey, SidecarWriter writer) throws IOException {
        FileWindow window = new FileWindow(data, path, survey.validBytes);
        RecordWalk walk = new RecordWalk(window, path, survey.vouchedEnd, survey.vouched, false);
        for (RecordHeader header = walk.next(); header != null; header = walk.next()) {
            CRC32C crc = new CRC32C();
            window.crc(crc, header.offset(), header.end());
            writer.add(header.offset(), header.size(), (int) crc.getValue());
            if (writer.full()) {
                writer.flush();
            }
        }
        writer.flush();
        if (walk.end() != RecordWalk.End.CLEAN) { // the survey saw these records whole: they changed since
            throw new IOException(path + ": the file changed while its sidecar was rebuilt at byte " + walk.position());
        }
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
