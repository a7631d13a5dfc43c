#!/usr/bin/env bash
# The quiet run of round 4 (issue #20), nothing else on the machine. usage: run.sh JAR OUTDIR
# Jar: mvn -B -DskipTests package -pl bench -am at c966b2a.
set -u
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
JAR=$1; D=$2; mkdir -p "$D"
run() { name=$1; shift; echo "$name start $(date +%T)" >> "$D/progress"; $J -jar "$JAR" "$@" -rf json -rff "$D/$name.json" > "$D/$name.log" 2>&1; echo "$name done $(date +%T)" >> "$D/progress"; }
run AppendBench 'bench.AppendBench' -f 1 -wi 3 -w 2s -i 5 -r 2s
run SidecarOpenBench 'bench.SidecarOpenBench' -f 1 -wi 3 -w 2s -i 5 -r 2s
run FileBench 'bench.FileBench.open$' -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc
run StreamBench 'bench.StreamBench' -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc
run CodecBench 'bench.CodecBench' -prof gc
run AllocatorBench 'bench.AllocatorBench' -prof gc -f 2
run CrossThreadBench 'bench.CrossThreadBench' -f 2
run DesignNoteBench 'bench.DesignNoteBench' -f 2
run ByteBufAllocatorBench 'bench.ByteBufAllocator(Ftl)?Bench' -prof gc -f 2
run NettyDecodeBench 'bench.NettyDecodeBench' -prof gc
run EchoBench 'bench.EchoBench' -f 1 -wi 2 -w 1s -i 4 -r 1s
run AllocatorParallelGC 'bench.AllocatorBench.(allocateFree|batch64)' -p impl=sliver,malloc,nettyPooled -f 1 -wi 3 -w 1s -i 5 -r 1s -jvmArgsAppend -XX:+UseParallelGC
run AllocatorZGC 'bench.AllocatorBench.(allocateFree|batch64)' -p impl=sliver,malloc,nettyPooled -f 1 -wi 3 -w 1s -i 5 -r 1s -jvmArgsAppend -XX:+UseZGC
echo "all done $(date +%T)" >> "$D/progress"
