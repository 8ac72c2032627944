package dev.stagebuild.cli;

import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.PodPlan;
import dev.stagebuild.plan.StagePlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A plan as a picture, independent of the drawing language: waves holding pods holding the stages
 * each pod builds; FROM edges inside a pod's chain, COPY --from edges labelled with what travels.
 * Texts here are raw (they come from the Dockerfile); the renderers escape them. Ids are made up
 * here and never contain Dockerfile text.
 */
record PlanGraph(List<Wave> waves, List<Edge> edges) {
  record Node(String id, String name, String from) {}

  record Pod(String id, String name, boolean isFinal, List<Node> stages) {}

  record Wave(String id, int index, List<Pod> pods) {}

  /**
   * @param copy true for COPY --from (label: the producer pod's exported paths), false for FROM
   */
  record Edge(String from, String to, boolean copy, List<String> label) {}

  static PlanGraph of(BuildPlan plan) {
    Map<String, StagePlan> stages = new HashMap<>();
    plan.stages().forEach(s -> stages.put(s.name(), s));
    Map<String, Integer> podIndex = new HashMap<>();
    for (int j = 0; j < plan.pods().size(); j++) {
      podIndex.put(plan.pods().get(j).name(), j);
    }

    List<Wave> waves = new ArrayList<>();
    for (int w = 0; w < plan.waves().size(); w++) {
      List<Pod> pods = new ArrayList<>();
      for (String name : plan.waves().get(w)) {
        int j = podIndex.get(name);
        PodPlan p = plan.pods().get(j);
        List<Node> nodes = new ArrayList<>();
        for (int k = 0; k < p.stages().size(); k++) {
          StagePlan s = stages.get(p.stages().get(k));
          nodes.add(new Node(nodeId(j, k), p.stages().get(k), s == null ? null : s.from()));
        }
        pods.add(new Pod("pod" + j, p.name(), p.isFinal(), nodes));
      }
      waves.add(new Wave("wave" + w, w, pods));
    }

    List<Edge> edges = new ArrayList<>();
    for (int j = 0; j < plan.pods().size(); j++) {
      PodPlan p = plan.pods().get(j);
      for (int k = 0; k < p.stages().size(); k++) {
        StagePlan s = stages.get(p.stages().get(k));
        if (k > 0) {
          edges.add(new Edge(nodeId(j, k - 1), nodeId(j, k), false, List.of()));
        }
        if (s == null) {
          continue;
        }
        for (String d : s.dependsOn()) {
          if (d.equals(s.parent())) {
            continue;
          }
          int inPod = p.stages().indexOf(d);
          if (inPod >= 0) {
            // copied from an ancestor built in this pod: nothing is exported
            edges.add(new Edge(nodeId(j, inPod), nodeId(j, k), true, List.of()));
            continue;
          }
          Integer q = podIndex.get(d);
          if (q == null && stages.containsKey(d)) {
            q = podIndex.get(stages.get(d).pod());
          }
          if (q == null) {
            continue;
          }
          PodPlan producer = plan.pods().get(q);
          int at = Math.max(0, producer.stages().indexOf(d));
          edges.add(new Edge(nodeId(q, at), nodeId(j, k), true, producer.exports()));
        }
      }
    }
    return new PlanGraph(waves, edges);
  }

  private static String nodeId(int pod, int stage) {
    return "n" + pod + "_" + stage;
  }
}
