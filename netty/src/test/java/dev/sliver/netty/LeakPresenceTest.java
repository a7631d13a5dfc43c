package dev.sliver.netty;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link LeakPresenceRun} in a child JVM whose Netty uses {@code LeakPresenceDetector} for every
 * buffer (it must be chosen before any ByteBuf class loads, hence the child).
 */
class LeakPresenceTest {
    @Test
    void nettysPresenceDetectorFindsNoBufferLeftOpen() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Dio.netty.customResourceLeakDetector=io.netty.util.LeakPresenceDetector",
                "-cp", System.getProperty("java.class.path"), LeakPresenceRun.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(child.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, child.exitValue(), out);
        assertTrue(out.contains("ok: no buffer left open"), out);
    }
}
