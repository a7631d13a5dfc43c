#!/usr/bin/env bash
# Runs the benchmark suite of BENCHMARKS.md, one JMH invocation per table, peers in the same run,
# and writes each result as JSON into DIR (default bench/results/<today>):
#   mvn -B -DskipTests package -pl bench -am && bench/run-suite.sh [DIR]
# Needs a JDK 25 java: $JAVA, else the first /usr/lib/jvm/*25* found, else `java`. Takes about
# 55 minutes on 2 cores (the file benchmarks write two 1 GiB files to java.io.tmpdir once); run it
# on a quiet machine (no build, no other benchmark). The Netty shapes run one fork: two forks of
# their 156 combinations would take 47 minutes alone.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-bench/results/$(date +%F)}
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/*25*/bin/java 2>/dev/null | head -1)}
JAVA=${JAVA:-java}
JAR=bench/target/benchmarks.jar
mkdir -p "$DIR"
run() { # NAME JMH-ARGS...
    local name=$1; shift
    echo "== $name $*" >&2
    "$JAVA" -jar "$JAR" "$@" -rf json -rff "$DIR/$name.json" > "$DIR/$name.log" 2>&1
}
run AppendBench 'bench.AppendBench' -f 1 -wi 3 -w 2s -i 5 -r 2s
run SidecarOpenBench 'bench.SidecarOpenBench' -f 1 -wi 3 -w 2s -i 5 -r 2s
run FileBench 'bench.FileBench.open$' -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc
run StreamBench 'bench.StreamBench' -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc
run CodecBench 'bench.CodecBench' -prof gc
run AllocatorBench 'bench.AllocatorBench' -prof gc -f 2
run CrossThreadBench 'bench.CrossThreadBench' -f 2
run DesignNoteBench 'bench.DesignNoteBench' -f 2
run ByteBufAllocatorBench 'bench.ByteBufAllocator(Ftl)?Bench' -prof gc -f 1
run NettyDecodeBench 'bench.NettyDecodeBench' -prof gc
run EchoBench 'bench.EchoBench' -f 1 -wi 2 -w 1s -i 4 -r 1s
run AllocatorParallelGC 'bench.AllocatorBench.(allocateFree|batch64)' -p impl=sliver,malloc,nettyPooled -f 1 -wi 3 -w 1s -i 5 -r 1s -jvmArgsAppend -XX:+UseParallelGC
run AllocatorZGC 'bench.AllocatorBench.(allocateFree|batch64)' -p impl=sliver,malloc,nettyPooled -f 1 -wi 3 -w 1s -i 5 -r 1s -jvmArgsAppend -XX:+UseZGC
echo "results in $DIR; tables: python3 bench/results/tables.py $DIR; charts: python3 bench/results/charts.py $DIR" >&2
