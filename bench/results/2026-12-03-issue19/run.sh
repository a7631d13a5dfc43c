# usage: run.sh AFTER_JAR ; before/after back to back, twice, alternating order
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
BEFORE=/work/wt-before/bench/target/benchmarks.jar
AFTER=$1
for round in 1; do
  order="before after"; [ $round = 2 ] && order="after before"
  for v in $order; do
    if [ $v = before ]; then JAR=$BEFORE; else JAR=$AFTER; fi
    $J -jar $JAR 'AllocatorBench\.(allocateFree|batch64)$' -p impl=sliver,malloc -f 1 -wi 3 -w 1s -i 5 -r 1s -rf json -rff alloc-$v-$round.json > alloc-$v-$round.log 2>&1
    $J -jar $JAR 'ByteBufAllocatorBench.oneThread' -f 1 -wi 3 -w 1s -i 5 -r 1s -rf json -rff bytebuf-$v-$round.json > bytebuf-$v-$round.log 2>&1
  done
done
echo done > finished
