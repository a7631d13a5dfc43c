package dev.sliver.netty;

import dev.sliver.codec.Codec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ByteBufRecordsTest {
    @Test
    void byteBufsSerializeExactlyAsArraysDo() throws Exception {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        Codec.serialize(List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}, new byte[0]), Channels.newChannel(expected));
        CompositeByteBuf split = Unpooled.compositeBuffer();
        split.addComponent(true, Unpooled.wrappedBuffer(new byte[] {4}));
        split.addComponent(true, Unpooled.directBuffer(1).writeByte(5));
        ByteBuf first = Unpooled.wrappedBuffer(new byte[] {0, 1, 2, 3}).skipBytes(1);
        ByteArrayOutputStream actual = new ByteArrayOutputStream();
        ByteBufRecords.serialize(List.of(first, split, Unpooled.EMPTY_BUFFER), Channels.newChannel(actual));
        assertArrayEquals(expected.toByteArray(), actual.toByteArray());
        assertEquals(1, first.readerIndex(), "indices are not changed");
        first.release();
        split.release();
    }
}
