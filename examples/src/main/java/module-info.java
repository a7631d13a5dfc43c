/** The {@code sliver} command-line tool and runnable demos of the Sliver API. */
module dev.sliver.examples {
    requires dev.sliver.codec;
    requires dev.sliver.netty;
    requires io.netty.common;
    exports dev.sliver.examples;
}
