package dev.sliver.codec;

import dev.sliver.alloc.ThreadCachingAllocator;
import dev.sliver.core.Batch;
import dev.sliver.core.CountingAllocator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** RecordReader and RecordWriter used directly, as a network decoder or a storage engine would. */
class ReaderWriterTest {
    @Test
    void aBlobMayBeSeveralBuffersAndTheReaderTracksItsPosition() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer head = ByteBuffer.wrap(new byte[] {1, 2});
        ByteBuffer tail = ByteBuffer.wrap(new byte[] {3});
        long written = new RecordWriter().add(head, tail).add(ByteBuffer.allocate(0)).writeTo(Channels.newChannel(out));
        assertEquals(8 + 8 + 16 + 3, written);
        assertEquals(0, head.position(), "the buffers' positions are not changed");
        assertArrayEquals(Records.serialize(List.of(new byte[] {1, 2, 3}, new byte[0])), out.toByteArray(),
                "one blob from two buffers is the same bytes as one array");

        CountingAllocator counting = new CountingAllocator(ThreadCachingAllocator.shared());
        byte[] twice = Records.concat(out.toByteArray(), out.toByteArray());
        try (RecordReader reader = new RecordReader(Channels.newChannel(new ByteArrayInputStream(twice)), "test",
                ReadOptions.defaults().withAllocator(counting))) {
            assertEquals(0, reader.position());
            try (Batch first = reader.next()) {
                assertEquals(written, reader.position());
                assertEquals(1, counting.outstandingSegments());
                assertEquals(written - 8, counting.outstandingBytes(), "one segment of total_length bytes");
                assertEquals(3, first.length(0));
            }
            reader.next().close();
            assertEquals(2 * written, reader.position());
            assertNull(reader.next());
        }
        assertEquals(0, counting.outstandingBytes());
    }

    @Test
    void aNonBlockingChannelIsRefusedByName() throws Exception {
        Pipe pipe = Pipe.open();
        pipe.source().configureBlocking(false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RecordReader(pipe.source(), "the pipe", ReadOptions.defaults()));
        assertEquals("the pipe: channel is in non-blocking mode", e.getMessage());
        pipe.source().close();
        pipe.sink().close();
    }
}
