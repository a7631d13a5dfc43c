# The quiet run of 2026-12-03 (issue #20), nothing else running. usage: run.sh JAR OUTDIR
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
JAR=$1; D=$2; mkdir -p $D; cd $D
run() { name=$1; shift; $J -jar $JAR "$@" -rf json -rff $name.json > $name.log 2>&1; echo "$name $(date +%T)" >> progress; }
run bytebuf 'bench.ByteBufAllocator(Ftl)?Bench.(oneThread|replaceOneThread|randomSizesOneThread)$' -p size=64,4096 -f 1 -wi 2 -w 1s -i 4 -r 1s -prof gc
run filebench-open 'bench.FileBench.open$' -f 1 -wi 2 -w 2s -i 5 -r 2s
# (since moved to its own class: 'bench.SidecarOpenBench')
run filebench-sidecar-open 'bench.FileBench.SidecarOpen' -f 1 -wi 2 -i 5
run filebench-appends 'bench.FileBench.Appends' -f 1 -wi 3 -w 2s -i 5 -r 2s
run codecbench 'bench.CodecBench' -p mode=sliver,bulkRead -p shape=10000x50 -f 2 -wi 3 -w 1s -i 5 -r 1s
run echobench 'bench.EchoBench' -f 1 -wi 2 -w 1s -i 4 -r 1s
echo done >> progress
