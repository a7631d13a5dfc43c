/** The {@code sliver} command-line tool and runnable demos of the Sliver API. */
module dev.sliver.examples {
    requires dev.sliver.codec;
    requires dev.sliver.netty;
    requires io.netty.common;
    requires io.netty.handler;
    requires java.logging; // the CLI silences library log lines unless --verbose
    exports dev.sliver.examples;
}
