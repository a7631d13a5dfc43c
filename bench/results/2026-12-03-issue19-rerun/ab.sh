# usage: ab.sh AFTER_JAR ; the jar of a92fdab (before the split) vs main, alternating, three rounds
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
for r in 1 2 3; do for v in before after; do
 if [ $v = before ]; then JAR=/work/wt-before/bench/target/benchmarks.jar; else JAR=$1; fi  # $1: the jar of main at e694825
 $J -jar $JAR 'AllocatorBench\.allocateFree$' -p impl=sliver,malloc -p size=64,512 -f 2 -wi 4 -w 1s -i 5 -r 1s -rf json -rff $v-$r.json > $v-$r.log 2>&1
done; done; echo done > finished
