package dev.sliver.netty;

import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The netty module's tests run twice (see its pom): as JDK 25 runs Netty by default, without
 * the JDK's Unsafe, and again with Unsafe allowed. This proves which mode each run was in.
 */
class UnsafeModeTest {
    @Test
    void nettyRunsInTheModeThisExecutionAskedFor() {
        assertEquals(Boolean.getBoolean("sliver.expectUnsafe"), PlatformDependent.hasUnsafe());
    }
}
