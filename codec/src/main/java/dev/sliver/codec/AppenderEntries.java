package dev.sliver.codec;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The sidecar entries an appender owes, written only once their records were forced (an entry
 * proves its record durable), in memory that does not grow with the records appended between two
 * forces.
 *
 * <p>Each record's entry waits in the {@link SidecarWriter}'s buffer. When more wait than it holds
 * (only in {@link RecordAppender.Durability#NONE} and group commit, whose appends do not force),
 * they are dropped and the sidecar <em>lags</em> from the first of them: the sidecar is a cache of
 * the data, never its authority (Kafka's index), and forcing the data just to write entries would
 * cost the fsyncs a raw write never pays. After the next force of the data, {@link #recordsForced}
 * rebuilds the missing entries from the records read back (the walk the open uses for a tail the
 * sidecar lacks), checked against the sum of the checksums computed as they were appended, so that
 * no entry vouches for bytes that are not what was appended. A crash while the sidecar lags loses
 * nothing: the next open adds the entries it lacks.
 *
 * <p>A failure to write the sidecar is logged and ends its writing (the next open mends it); a
 * failure to read the records back, or records that changed, fails the appender. Not
 * thread-safe: the appender's lock guards it.
 */
final class AppenderEntries implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AppenderEntries.class.getName());

    private final Path path;
    private final SidecarWriter sidecar;
    /** Whether writing the sidecar failed: nothing more is written, the next open mends it. */
    private boolean failed;
    /** Whether entries were dropped: records [lagFrom, lagTo), indexes [lagIndex, lagToIndex), have none yet. */
    private boolean lagging;
    private long lagFrom;
    private long lagIndex;
    private long lagTo;
    private long lagToIndex;
    /** The sum of the lagging records' CRC32Cs (unsigned), as computed when they were appended. */
    private long lagCrcSum;
    /** The first waiting entry's record (its offset and index), and the sum of the waiting CRC32Cs. */
    private long waitingFrom;
    private long waitingIndex;
    private long waitingCrcSum;

    /**
     * @param path    the data file, named in errors
     * @param sidecar its sidecar, open after its valid entries
     */
    AppenderEntries(Path path, SidecarWriter sidecar) {
        this.path = path;
        this.sidecar = sidecar;
    }

    /** Notes the entry of the record just written (not forced yet). */
    void add(long offset, long index, long bytes, int crc) {
        if (failed) {
            return;
        }
        long unsignedCrc = Integer.toUnsignedLong(crc);
        if (!lagging && sidecar.full()) { // drop what waits rather than force: the sidecar lags from the first of it
            lagging = true;
            lagFrom = waitingFrom;
            lagIndex = waitingIndex;
            lagCrcSum = waitingCrcSum;
            sidecar.drop();
        }
        if (lagging) { // until the next force, every record is read back then: nothing waits
            lagTo = offset + bytes;
            lagToIndex = index + 1;
            lagCrcSum += unsignedCrc;
            return;
        }
        if (sidecar.pending() == 0) {
            waitingFrom = offset;
            waitingIndex = index;
            waitingCrcSum = 0;
        }
        waitingCrcSum += unsignedCrc;
        sidecar.add(offset, bytes, crc);
    }

    /**
     * Writes the entries of every record added, which the caller has just forced: the lagging
     * ones rebuilt from the data, then those waiting. A failed sidecar write is logged.
     *
     * @param data the data file's channel, to read the lagging records back
     * @throws IOException if the lagging records cannot be read back or are not what was appended:
     *                     no entry vouches for them, and the caller must fail
     */
    void recordsForced(FileChannel data) throws IOException {
        if (failed) {
            return;
        }
        try {
            if (lagging) {
                catchUp(data);
            }
            sidecar.flush();
        } catch (SidecarWriter.WriteFailedException e) {
            stopWriting(e);
        }
    }

    /** Rebuilds the lagging entries from the forced data; cuts them back if the data is not what was appended. */
    private void catchUp(FileChannel data) throws IOException {
        long before = sidecar.entries();
        String problem;
        IOException cause = null;
        try {
            long crcSum = sidecar.addFromData(data, path, lagFrom, lagIndex, lagTo, lagToIndex);
            if (crcSum == lagCrcSum) {
                lagging = false;
                return;
            }
            problem = "their checksums are not those of the bytes appended: another program wrote to the file";
        } catch (SidecarWriter.WriteFailedException e) {
            throw e;
        } catch (IOException e) {
            problem = Reasons.of(e);
            cause = e;
        }
        try {
            sidecar.cutTo(before);
        } catch (IOException e) {
            stopWriting(e);
        }
        failed = true; // no later entry may follow the missing ones
        throw new IOException(path + ": the records appended from byte " + lagFrom + " cannot be vouched for (" + problem
                + "): no sidecar entry lists them; the appender is failed: reopen it to recover from what the disk holds",
                cause);
    }

    /** Forces the written entries; a failure is logged. */
    void force() {
        if (failed) {
            return;
        }
        try {
            sidecar.force();
        } catch (IOException e) {
            stopWriting(e);
        }
    }

    private void stopWriting(IOException e) {
        failed = true;
        LOG.log(System.Logger.Level.WARNING, Reasons.of(e) + "; the next open rebuilds the missing entries from the data");
    }

    /** Closes the sidecar (without writing or forcing anything). */
    @Override
    public void close() throws IOException {
        sidecar.close();
    }
}
