package dev.sliver.codec;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Run in a child JVM by {@link RecordAppenderTest}: appends records with {@code FORCE} until
 * killed, printing {@code ack INDEX OFFSET} after each acknowledged append. Record {@code i} holds
 * {@link #blobs(long)}{@code (i)}, so the parent can check every acknowledged record.
 */
public final class AppendUntilKilled {
    private AppendUntilKilled() {
    }

    /** The blobs of record {@code index}: a few, of sizes up to 40 KB, derived from the index. */
    static List<byte[]> blobs(long index) {
        Random random = new Random(index);
        int count = 1 + random.nextInt(4);
        byte[][] blobs = new byte[count][];
        for (int i = 0; i < count; i++) {
            blobs[i] = new byte[random.nextInt(40_000)];
            random.nextBytes(blobs[i]);
        }
        return List.of(blobs);
    }

    public static void main(String[] args) throws Exception {
        try (RecordAppender appender = RecordAppender.open(Path.of(args[0]), RecordAppender.Durability.FORCE)) {
            for (long index = appender.records(); ; index++) {
                RecordAppender.Appended done = appender.append(blobs(index));
                if (done.index() != index) {
                    throw new AssertionError("index " + done.index() + ", expected " + index);
                }
                System.out.println("ack " + done.index() + " " + done.offset());
                System.out.flush();
            }
        }
    }
}
