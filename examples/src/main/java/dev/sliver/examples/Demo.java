package dev.sliver.examples;

import dev.sliver.codec.Codec;
import dev.sliver.core.Batch;
import dev.sliver.core.Slice;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The design note's program: append {@code {1,2,3},{4,5}} and 10,000 blobs of 50 bytes to a file,
 * read them back zero-copy, check them, and time the zero-copy read against a copying one.
 */
final class Demo {
    private static final int BLOBS = 10_000;
    private static final int BLOB_SIZE = 50;
    private static final int ROUNDS = 300;

    private final PrintStream out;

    Demo(PrintStream out) {
        this.out = out;
    }

    void run() throws IOException {
        Path file = Files.createTempFile("sliver-demo", ".strg");
        try {
            Codec.write(file, List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}));
            List<byte[]> many = new ArrayList<>(BLOBS);
            for (int i = 0; i < BLOBS; i++) {
                byte[] blob = new byte[BLOB_SIZE];
                Arrays.fill(blob, (byte) i);
                many.add(blob);
            }
            Codec.write(file, many);
            out.println("wrote 2 records to " + file + " (" + Files.size(file) + " bytes)");

            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                try (Batch small = Codec.deserialize(channel)) {
                    check(Arrays.equals(small.get(0).toByteArray(), new byte[] {1, 2, 3})
                            && Arrays.equals(small.get(1).toByteArray(), new byte[] {4, 5}), "record 1 differs");
                    out.println("record 1: " + small.get(0) + ", " + small.get(1));
                }
                long second = channel.position();
                try (Batch big = Codec.deserialize(channel)) {
                    check(big.size() == BLOBS, "record 2 has " + big.size() + " blobs");
                    for (int i = 0; i < BLOBS; i++) {
                        Slice blob = big.get(i);
                        check(blob.length() == BLOB_SIZE && blob.get(0) == (byte) i && blob.get(BLOB_SIZE - 1) == (byte) i,
                                "blob " + i + " differs");
                    }
                    out.println("record 2: " + big.size() + " blobs of " + BLOB_SIZE + " bytes, all checked, "
                            + "views of one segment");
                }
                time(channel, second);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private void time(FileChannel channel, long second) throws IOException {
        long[] zeroCopy = new long[ROUNDS];
        long[] copying = new long[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            channel.position(second);
            long t0 = System.nanoTime();
            try (Batch batch = Codec.deserialize(channel)) {
                zeroCopy[r] = System.nanoTime() - t0;
                check(batch.size() == BLOBS, "short read");
            }
            channel.position(second);
            t0 = System.nanoTime();
            List<byte[]> blobs = CopyingReader.read(channel);
            copying[r] = System.nanoTime() - t0;
            check(blobs.size() == BLOBS, "short read");
        }
        Arrays.sort(zeroCopy);
        Arrays.sort(copying);
        long z = zeroCopy[ROUNDS / 2];
        long c = copying[ROUNDS / 2];
        out.printf("reading record 2, median of %d rounds: zero-copy %.1f us, copying %.1f us (%.1fx)%n",
                ROUNDS, z / 1e3, c / 1e3, (double) c / z);
        out.println("(a quick wall-clock figure; bench/ has the JMH measurements)");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("demo check failed: " + what);
        }
    }
}
