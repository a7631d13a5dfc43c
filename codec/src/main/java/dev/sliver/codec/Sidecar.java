package dev.sliver.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The sidecar {@code FILE.idx}: its layout (see FORMAT.md), its name beside the data, setting it
 * aside, and the encoding of an entry. Reading it in bounded memory, and what makes it foreign,
 * damaged or stale, is {@link SidecarReader}'s; writing it (entries appended in place, or the
 * whole file rebuilt aside and renamed over the old one, which is first set aside, so that a
 * crash never leaves less than there was) is {@link SidecarWriter}'s.
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
}
