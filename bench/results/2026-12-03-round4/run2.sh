#!/usr/bin/env bash
# The rest of the quiet run after AllocatorBench (run.sh was stopped there and this took over so
# that the Netty shapes ran with one fork: two forks of all 156 would take 47 minutes).
set -u
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
JAR=$1; D=$2
run() { name=$1; shift; echo "$name start $(date +%T)" >> "$D/progress"; $J -jar "$JAR" "$@" -rf json -rff "$D/$name.json" > "$D/$name.log" 2>&1; echo "$name done $(date +%T)" >> "$D/progress"; }
run CrossThreadBench 'bench.CrossThreadBench' -f 2
run DesignNoteBench 'bench.DesignNoteBench' -f 2
run ByteBufAllocatorBench 'bench.ByteBufAllocator(Ftl)?Bench' -prof gc -f 1
run NettyDecodeBench 'bench.NettyDecodeBench' -prof gc
run EchoBench 'bench.EchoBench' -f 1 -wi 2 -w 1s -i 4 -r 1s
run AllocatorParallelGC 'bench.AllocatorBench.(allocateFree|batch64)' -p impl=sliver,malloc,nettyPooled -f 1 -wi 3 -w 1s -i 5 -r 1s -jvmArgsAppend -XX:+UseParallelGC
run AllocatorZGC 'bench.AllocatorBench.(allocateFree|batch64)' -p impl=sliver,malloc,nettyPooled -f 1 -wi 3 -w 1s -i 5 -r 1s -jvmArgsAppend -XX:+UseZGC
echo "all done $(date +%T)" >> "$D/progress"
