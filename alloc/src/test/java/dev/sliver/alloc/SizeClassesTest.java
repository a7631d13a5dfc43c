package dev.sliver.alloc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SizeClassesTest {
    @Test
    void everySizeMapsToTheSmallestClassThatHoldsIt() {
        for (int size = 0; size <= SizeClasses.MAX_SMALL; size++) {
            int cls = SizeClasses.classOf(size);
            assertTrue(SizeClasses.size(cls) >= size, "size " + size);
            if (cls > 0) {
                assertTrue(SizeClasses.size(cls - 1) < size, "size " + size + " could use class " + (cls - 1));
            }
        }
    }

    @Test
    void worstCaseWasteIsAtMost20PercentAbove64BytesAnd15BytesBelow() {
        double worst = 0;
        for (int size = 1; size <= SizeClasses.MAX_SMALL; size++) {
            int block = SizeClasses.size(SizeClasses.classOf(size));
            if (size > 64) {
                worst = Math.max(worst, (double) (block - size) / block);
            } else {
                assertTrue(block - size <= 15, "size " + size + " wastes " + (block - size) + " bytes");
            }
        }
        assertTrue(worst <= 0.20 + 1e-9, "worst waste " + worst);
        assertTrue(worst > 0.19, "the bound is tight, so this test measures what it claims: " + worst);
    }

    @Test
    void classesAreSixteenByteAlignedAndSpansWasteLittle() {
        assertEquals(SizeClasses.MAX_SMALL, SizeClasses.size(SizeClasses.count() - 1));
        for (int c = 0; c < SizeClasses.count(); c++) {
            int size = SizeClasses.size(c);
            assertEquals(0, size % 16, "class " + c);
            long spanBytes = (long) SizeClasses.spanPages(c) * SizeClasses.PAGE_SIZE;
            assertTrue(spanBytes % size <= spanBytes / 8, "class " + size);
            assertTrue(SizeClasses.spanPages(c) <= Chunk.PAGES);
            int bundle = SizeClasses.bundleSize(c);
            assertEquals(Math.min(32, Math.max(2, 65536 / size)), bundle);
        }
    }

    @Test
    void spansAreTheFewestPagesThatWasteAtMostAnEighth() {
        for (int c = 0; c < SizeClasses.count(); c++) {
            int size = SizeClasses.size(c);
            int pages = SizeClasses.spanPages(c);
            long fewer = (long) (pages - 1) * SizeClasses.PAGE_SIZE;
            assertTrue(fewer < size || fewer % size > fewer / 8, "class " + size + " needs no " + pages + " pages");
        }
        assertEquals(1, SizeClasses.spanPages(SizeClasses.classOf(65536)), "one page holds one 64 KiB block exactly");
    }
}
