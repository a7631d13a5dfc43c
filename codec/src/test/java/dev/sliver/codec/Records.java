package dev.sliver.codec;

import dev.sliver.core.Batch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/** Test helpers: records as bytes, and batches as lists of arrays. */
final class Records {
    private Records() {
    }

    static byte[] serialize(List<byte[]> blobs) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Codec.serialize(blobs, Channels.newChannel(out));
        return out.toByteArray();
    }

    static List<byte[]> toArrays(Batch batch) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            out.add(batch.get(i).toByteArray());
        }
        return out;
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    /** Little-endian u64 words, as raw record bytes. */
    static byte[] words(long... words) {
        ByteBuffer b = ByteBuffer.allocate(words.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long w : words) {
            b.putLong(w);
        }
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Random blobs: some empty, most small, a few large. */
    static List<byte[]> randomBlobs(Random random) {
        int count = random.nextInt(10) == 0 ? 0 : random.nextInt(200);
        List<byte[]> blobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int size = switch (random.nextInt(10)) {
                case 0 -> 0;
                case 1 -> random.nextInt(70_000);
                default -> random.nextInt(100);
            };
            byte[] blob = new byte[size];
            random.nextBytes(blob);
            blobs.add(blob);
        }
        return blobs;
    }

    /** A report as (records, validBytes, tailBytes), for comparisons. */
    static java.util.List<Long> summary(RecordFiles.Report report) {
        return java.util.List.of(report.records(), report.validBytes(), report.tailBytes());
    }

    /**
     * How many of this process's file descriptors are open on {@code file}, read from Linux's
     * /proc/self/fd; -1 where there is no such directory (the caller then assumes nothing).
     */
    static long openDescriptors(java.nio.file.Path file) throws IOException {
        java.nio.file.Path fds = java.nio.file.Path.of("/proc/self/fd");
        if (!java.nio.file.Files.isDirectory(fds)) {
            return -1;
        }
        java.nio.file.Path target = file.toAbsolutePath();
        long n = 0;
        try (java.util.stream.Stream<java.nio.file.Path> links = java.nio.file.Files.list(fds)) {
            for (java.nio.file.Path link : (Iterable<java.nio.file.Path>) links::iterator) {
                try {
                    if (java.nio.file.Files.readSymbolicLink(link).equals(target)) {
                        n++;
                    }
                } catch (IOException closedMeanwhile) {
                    // the listing's own descriptor, or one closed since the listing
                }
            }
        }
        return n;
    }

    /**
     * Whether this process holds a POSIX lock on {@code file}, read from Linux's /proc/locks; null
     * where there is no such file (the caller then assumes nothing).
     */
    static Boolean holdsPosixLock(java.nio.file.Path file) throws IOException {
        java.nio.file.Path locks = java.nio.file.Path.of("/proc/locks");
        if (!java.nio.file.Files.isReadable(locks)) {
            return null;
        }
        String pid = Long.toString(ProcessHandle.current().pid());
        String inode = ":" + java.nio.file.Files.getAttribute(file, "unix:ino");
        for (String line : java.nio.file.Files.readAllLines(locks)) {
            String[] fields = line.trim().split("\\s+"); // "1: POSIX ADVISORY WRITE PID MAJ:MIN:INODE START END"
            if (fields.length > 5 && fields[1].equals("POSIX") && fields[4].equals(pid) && fields[5].endsWith(inode)) {
                return true;
            }
        }
        return false;
    }
}
