/** JMH benchmarks of Sliver against its peers; run from bench/target/benchmarks.jar. */
open module dev.sliver.bench {
    requires dev.sliver.codec;
    requires jmh.core;
    requires dev.sliver.netty;
    requires dev.sliver.examples;
    requires io.netty.codec;
    requires io.netty.transport.classes.epoll;
}
