#!/usr/bin/env bash
# A/B of SidecarReader's inner loop (locals, array reads) against ce5141b, jars alternating, quiet machine.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
for round in 1 2 3; do for jar in before:/tmp/bench-doorbyte.jar after:/tmp/bench-sidecarloop.jar; do
  name=${jar%%:*}-$round; path=${jar#*:}
  $J -jar $path 'bench.SidecarOpenBench' -f 1 -wi 3 -w 2s -i 5 -r 2s -rf json -rff $name.json > $name.log 2>&1
  echo "$name $(grep -h 'openFromSidecar ' $name.log | awk '{print $4, $5, $6}') floor $(grep -h 'sidecarBulkRead ' $name.log | awk '{print $4}')" >> progress
done; done
