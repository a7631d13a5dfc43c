#!/usr/bin/env bash
# A/B of the door byte (Span.doorHeld) against c966b2a, jars alternating, two rounds, quiet machine.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
for round in 1 2; do for jar in before:/tmp/bench-c966b2a.jar after:/tmp/bench-doorbyte.jar; do
  name=${jar%%:*}-$round; path=${jar#*:}
  $J -jar $path 'bench.ByteBufAllocator(Ftl)?Bench.(oneThread|replaceOneThread)$' -p impl=sliver,nettyAdaptive -p size=64,4096 -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc -rf json -rff $name.json > $name.log 2>&1
  echo "$name $(date +%T)" >> progress
done; done
