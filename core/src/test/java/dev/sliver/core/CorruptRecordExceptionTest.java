package dev.sliver.core;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.*;

class CorruptRecordExceptionTest {
    @Test
    void theMessageJoinsSourceReasonAndOffsetWhichStayAvailableApart() {
        CorruptRecordException e = new CorruptRecordException("data/records.slv", 4096, "blob count 7 exceeds the limit 5");
        assertEquals("data/records.slv: blob count 7 exceeds the limit 5 at byte 4096", e.getMessage());
        assertEquals("data/records.slv", e.source());
        assertEquals(4096, e.offset());
        assertEquals("blob count 7 exceeds the limit 5", e.reason());
        assertInstanceOf(IOException.class, e);
    }
}
