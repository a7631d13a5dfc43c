package dev.sliver.codec;

import dev.sliver.core.CorruptRecordException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * Maintenance of record files and their sidecars: {@link #check} (read-only), {@link #verify}
 * (checksums), {@link #repair} and {@link #index} (which change files, under the file's lock, so
 * never while an appender writes). Every one reads in bounded memory (a 1 MiB window and 64 KiB
 * of sidecar), whatever the number of records, and applies the rules of FORMAT.md:
 *
 * <ul>
 *   <li>a torn tail (what one interrupted append leaves: a record cut short, or zero bytes) after
 *       the records the sidecar vouches for is cut by {@code repair} and by
 *       {@link RecordAppender#open}, and ignored by readers;</li>
 *   <li>anything else is corruption: reported with the file, the record's index and its offset,
 *       and the file is left untouched, unless {@code repair} is asked to {@code force} it: then
 *       the bytes from the first bad record on are saved beside the file ({@code FILE.lost-OFFSET},
 *       as fsck's lost+found) before the file is cut there;</li>
 *   <li>a sidecar that is missing, foreign, damaged or stale is set aside (renamed, never
 *       overwritten) and rebuilt, atomically, keeping the checksums it vouched with.</li>
 * </ul>
 *
 * <p>Thread-safe (stateless); the changing methods take the file's exclusive lock.
 */
public final class RecordFiles {
    private static final System.Logger LOG = System.getLogger(RecordFiles.class.getName());

    private RecordFiles() {
    }

    /** How a record file ends after its last complete record. */
    public enum Tail {
        /** The file ends where a record ends. */
        NONE,
        /** A torn append: what a crash leaves; cutting it loses nothing acknowledged. */
        TORN,
        /** Corruption: a bad record, or one the sidecar vouches for that is missing or damaged. */
        CORRUPT
    }

    /**
     * What a check, verify or repair found.
     *
     * @param records     the complete records kept (or found, for a check)
     * @param validBytes  where the last of them ends
     * @param tail        how the file ends after them (before a repair cut it)
     * @param tailBytes   the bytes after {@code validBytes} (cut by a repair)
     * @param checksummed the records the sidecar vouches for with a checksum (verified, for a verify)
     * @param problem     for a corrupt tail, the error naming the file, record and offset; else null
     * @param savedTo     where a forced repair saved the bytes it cut, or null
     */
    public record Report(long records, long validBytes, Tail tail, long tailBytes, long checksummed, String problem,
                         Path savedTo) {
    }

    /**
     * {@return the sidecar of {@code data}}: {@code FILE.idx} beside {@code FILE} (see FORMAT.md)
     *
     * @param data a record file
     */
    public static Path sidecarOf(Path data) {
        return Sidecar.pathOf(data);
    }

    /**
     * Checks the structure of the file at {@code path} and its sidecar, changing nothing.
     * Corruption is reported, not thrown.
     *
     * @param path a record file
     * @return what the file holds and how it ends
     * @throws IOException if the file cannot be read, or is not a regular file
     */
    public static Report check(Path path) throws IOException {
        try (FileChannel data = DataFiles.openForRead(path)) {
            return report(survey(data, path, false), null);
        }
    }

    /**
     * Checks every record the sidecar vouches for against its CRC32C, and the structure of all.
     *
     * @param path a record file
     * @return what was found; {@link Report#checksummed()} records were verified
     * @throws CorruptRecordException naming the first record that does not match its checksum, or
     *                                the corruption, with its index and offset
     * @throws IOException            if the file cannot be read
     */
    public static Report verify(Path path) throws IOException {
        try (FileChannel data = DataFiles.openForRead(path)) {
            Survey survey = survey(data, path, true);
            if (survey.end == RecordWalk.End.CORRUPT) {
                throw survey.corruption;
            }
            return report(survey, null);
        }
    }

    /**
     * Cuts a torn tail, and brings the sidecar in line with the data (writing it if missing).
     * Corruption is left untouched unless {@code force}: then the bytes from the first bad record
     * on are saved to {@code FILE.lost-OFFSET} (forced, with its directory) and cut.
     *
     * @param path  a record file
     * @param force whether to cut corruption too (keeping a copy of what is cut)
     * @return what was kept and cut
     * @throws CorruptRecordException if the file is corrupt and {@code force} is false (nothing changed)
     * @throws IOException            if the file is in use by a writer, or an I/O error
     */
    public static Report repair(Path path, boolean force) throws IOException {
        return repair(Storage.DEFAULT, path, force);
    }

    static Report repair(Storage storage, Path path, boolean force) throws IOException {
        try (DataFiles.Locked file = DataFiles.openLocked(storage, path, false)) {
            FileChannel data = file.channel();
            Survey survey = survey(data, path, false);
            Path savedTo = null;
            if (survey.end == RecordWalk.End.CORRUPT) {
                if (!force) {
                    throw withAdvice(survey.corruption);
                }
                savedTo = saveTail(storage, data, path, survey);
            }
            if (survey.end != RecordWalk.End.CLEAN) {
                truncate(data, path, survey.validBytes);
                LOG.log(System.Logger.Level.INFO, path + ": cut " + survey.tailBytes() + " bytes (" + survey.end
                        + " tail) at byte " + survey.validBytes + (savedTo != null ? ", saved to " + savedTo : ""));
            }
            data.force(true); // entries vouch only for forced bytes
            SidecarWriter.mend(storage, data, path, survey);
            return report(survey, savedTo);
        }
    }

    /**
     * Writes, completes or mends, and forces, the sidecar of the file at {@code path} from its
     * data (a file written by other means, {@code Codec.write} or a copy, gets its checksums this
     * way); also cuts a torn tail. The same as {@code repair(path, false)}.
     *
     * @param path a record file
     * @throws CorruptRecordException if the file is corrupt
     * @throws IOException            if it is in use by a writer, or an I/O error
     */
    public static void index(Path path) throws IOException {
        repair(path, false);
    }

    /**
     * Takes the right to change the record file at {@code data}, as appenders and repair do (one
     * writer per file across threads and processes): for a tool that replaces the file, so that
     * it never replaces one an appender is writing.
     *
     * @param data a record file (it need not exist)
     * @return the lock: close it to release it
     * @throws IOException naming the file if another writer holds it
     */
    public static java.io.Closeable lock(Path data) throws IOException {
        return WriterLock.acquire(Storage.DEFAULT, data);
    }

    /**
     * Removes the sidecar of {@code data}, for a caller about to replace the data with other
     * records (a sidecar describes the bytes it was written for). A file there that is not a
     * Sliver sidecar is set aside (renamed, with a WARNING), never deleted.
     *
     * @param data a record file about to be replaced
     * @throws IOException if the sidecar cannot be removed
     */
    public static void forgetSidecar(Path data) throws IOException {
        try (SidecarReader side = SidecarReader.open(data)) {
            if (!side.exists()) {
                java.nio.file.Files.deleteIfExists(Sidecar.pathOf(data)); // an empty one
                return;
            }
            if (side.foreign()) {
                Sidecar.setAside(data, side.problem());
                return;
            }
        }
        java.nio.file.Files.delete(Sidecar.pathOf(data));
    }

    /** The survey of an open data file, through a 1 MiB window. */
    static Survey survey(FileChannel data, Path path, boolean verify) throws IOException {
        return Survey.of(new FileWindow(data, path, data.size()), path, false, verify, (index, header, vouched, crc) -> { });
    }

    /** Cuts the data at {@code validBytes} and forces it, so that the cut and everything before it are durable. */
    static void truncate(FileChannel data, Path path, long validBytes) throws IOException {
        try {
            data.truncate(validBytes);
            data.force(true);
        } catch (IOException e) {
            throw new IOException(path + ": cutting the tail failed: " + Reasons.of(e) + " at byte " + validBytes, e);
        }
    }

    /** The corruption, with what the user can do about it; the file was not changed. */
    static CorruptRecordException withAdvice(CorruptRecordException e) {
        if (e.reason().startsWith("not a record file")) {
            return e; // cutting it would empty someone's file
        }
        return new CorruptRecordException(e.source(), e.offset(), e.reason() + "; nothing was changed ('sliver repair "
                + "--force' cuts the file there and keeps the cut bytes beside it)");
    }

    private static Path saveTail(Storage storage, FileChannel data, Path path, Survey survey) throws IOException {
        Path lost = Sidecar.beside(path, ".lost-" + survey.validBytes);
        for (int n = 1; java.nio.file.Files.exists(lost, LinkOption.NOFOLLOW_LINKS); n++) {
            lost = Sidecar.beside(path, ".lost-" + survey.validBytes + "." + n);
        }
        try (FileChannel out = storage.open(lost, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
            for (long at = survey.validBytes; at < survey.dataSize; ) {
                long moved = data.transferTo(at, survey.dataSize - at, out);
                if (moved <= 0) {
                    throw new IOException(path + ": the file shrank while its tail was saved at byte " + at);
                }
                at += moved;
            }
            out.force(true);
        } catch (IOException e) {
            throw new IOException(lost + ": saving the bytes to cut failed (nothing was cut): " + Reasons.of(e), e);
        }
        storage.forceDirectory(lost.toAbsolutePath().getParent());
        return lost;
    }

    private static Report report(Survey survey, Path savedTo) {
        RecordFiles.Tail tail = switch (survey.end) {
            case CLEAN, NONE -> Tail.NONE;
            case TORN -> Tail.TORN;
            case CORRUPT -> Tail.CORRUPT;
        };
        return new Report(survey.records, survey.validBytes, tail, survey.tailBytes(), survey.vouched,
                survey.corruption == null ? null : survey.corruption.getMessage(), savedTo);
    }
}
