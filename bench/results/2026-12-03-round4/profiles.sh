#!/usr/bin/env bash
# Profiles of the misses (JFR, one fork each), after the suite. usage: profiles.sh JAR OUTDIR
set -u
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
JAR=$1; D=$2/profiles; mkdir -p "$D"
prof() { name=$1; shift; echo "$name start $(date +%T)" >> "$D/progress"
  $J -jar "$JAR" "$@" -f 1 -wi 2 -w 2s -i 3 -r 2s -prof "jfr:dir=$D/$name" > "$D/$name.log" 2>&1
  echo "$name done $(date +%T)" >> "$D/progress"; }
prof sidecarOpen 'bench.SidecarOpenBench.openFromSidecar'
prof read1M 'bench.FileBench.open$' -p mode=read -p shape=1000000x1
prof perRecord1M 'bench.FileBench.open$' -p mode=perRecord -p shape=1000000x1
prof ftlSliver64 'bench.ByteBufAllocatorFtlBench.oneThread$' -p impl=sliver -p size=64
prof ftlAdaptive64 'bench.ByteBufAllocatorFtlBench.oneThread$' -p impl=nettyAdaptive -p size=64
prof blocks64 'bench.AllocatorBench.allocateFree' -p impl=sliver -p size=64
prof map1M 'bench.FileBench.open$' -p mode=map -p shape=1000000x1
prof reader1M 'bench.FileBench.open$' -p mode=reader -p shape=1000000x1
echo "EchoBench-long start $(date +%T)" >> "$D/progress"
$J -jar "$JAR" 'bench.EchoBench' -f 1 -wi 6 -w 1s -i 5 -r 1s -rf json -rff "$2/EchoBench-longwarmup.json" > "$2/EchoBench-longwarmup.log" 2>&1
echo "all done $(date +%T)" >> "$D/progress"
