package dev.sliver.netty;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Installs {@link LeakCounter} when the test session opens, before any test class (and so any
 * ByteBuf class) loads: the leak checks then count whatever order the classes run in.
 * Registered in {@code META-INF/services}.
 */
@SuppressWarnings("exports") // a service for the JUnit launcher, not API of the module
public final class InstallLeakCounter implements LauncherSessionListener {
    /** For the ServiceLoader. */
    public InstallLeakCounter() {
    }

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        LeakCounter.install();
    }
}
