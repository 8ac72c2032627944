package dev.stagebuild.plan;

import dev.stagebuild.dockerfile.DockerfileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * PlannerBenchmark: how long planning takes, printed, never asserted (the machine is shared).
 * Plans a generated 50-stage Dockerfile (parallel stages and FROM chains) and every corpus file,
 * after a warm-up, and prints the median and 90th percentile in microseconds.
 */
@Tag("benchmark")
class PlannerBenchmarkTest {
  private static final int WARMUP_ROUNDS = 300;
  private static final int ROUNDS = 500;
  private static final int CORPUS_ROUNDS = 30;

  @Test
  void printTimings() {
    String fifty = fiftyStages();
    BuildPlan plan = Planner.plan(fifty, Map.of(), null);
    List<String> corpus = Corpus.files().stream().map(Corpus::dockerfile).toList();

    for (int i = 0; i < WARMUP_ROUNDS; i++) {
      Planner.plan(fifty, Map.of(), null);
      planQuietly(corpus.get(i % corpus.size()));
    }

    long[] fiftyTimes = new long[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
      long start = System.nanoTime();
      Planner.plan(fifty, Map.of(), null);
      fiftyTimes[i] = System.nanoTime() - start;
    }
    List<Long> corpusTimes = new ArrayList<>();
    for (int round = 0; round < CORPUS_ROUNDS; round++) {
      for (String dockerfile : corpus) {
        long start = System.nanoTime();
        planQuietly(dockerfile);
        corpusTimes.add(System.nanoTime() - start);
      }
    }

    System.out.printf("PlannerBenchmark: 50-stage Dockerfile (%d pods, %d waves, %d chars): median %d us, p90 %d us"
            + " (%d runs)%n", plan.pods().size(), plan.waves().size(), fifty.length(),
        percentile(fiftyTimes, 50), percentile(fiftyTimes, 90), ROUNDS);
    System.out.printf("PlannerBenchmark: corpus, %d Dockerfiles: median %d us, p90 %d us per Dockerfile (%d runs)%n",
        corpus.size(), percentile(corpusTimes.stream().mapToLong(Long::longValue).toArray(), 50),
        percentile(corpusTimes.stream().mapToLong(Long::longValue).toArray(), 90), corpusTimes.size());
  }

  private static void planQuietly(String dockerfile) {
    try {
      Planner.plan(dockerfile, Map.of(), null);
    } catch (DockerfileException e) {
      // files the corpus expects to fail cost time too
    }
  }

  static long percentile(long[] nanos, int p) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, index)] / 1000;
  }

  /**
   * Ten chains of three stages (each FROM the one before), nineteen independent stages, and a
   * final stage that copies from every chain end and every independent stage.
   */
  static String fiftyStages() {
    StringBuilder sb = new StringBuilder("# syntax=docker/dockerfile:1\nARG GO_VERSION=1.22\nARG OUT=/out\n");
    List<String> exported = new ArrayList<>();
    for (int chain = 0; chain < 10; chain++) {
      sb.append("FROM golang:${GO_VERSION} AS chain").append(chain).append("-a\n")
          .append("WORKDIR /src\nCOPY go.mod go.sum ./\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\n");
      sb.append("FROM chain").append(chain).append("-a AS chain").append(chain).append("-b\n")
          .append("COPY . .\nRUN go vet ./...\n");
      sb.append("FROM chain").append(chain).append("-b AS chain").append(chain).append("-c\n")
          .append("ARG OUT\nRUN go build -o ${OUT}/bin").append(chain).append(" ./cmd/").append(chain).append('\n');
      exported.add("chain" + chain + "-c");
    }
    for (int leaf = 0; leaf < 19; leaf++) {
      sb.append("FROM alpine:3.20 AS leaf").append(leaf).append('\n')
          .append("RUN apk add --no-cache curl \\\n    && curl -fsSL https://example.com/").append(leaf)
          .append(" -o /opt/tool").append(leaf).append('\n');
      exported.add("leaf" + leaf);
    }
    sb.append("FROM gcr.io/distroless/static-debian12\n");
    for (String stage : exported) {
      String path = stage.startsWith("chain") ? "/out/bin" + stage.substring(5, stage.indexOf('-')) : "/opt/tool" + stage.substring(4);
      sb.append("COPY --from=").append(stage).append(' ').append(path).append(" /usr/local/bin/\n");
    }
    sb.append("ENTRYPOINT [\"/usr/local/bin/bin0\"]\n");
    return sb.toString();
  }
}
