package dev.stagebuild.cli;

import dev.stagebuild.api.OutputStatus;
import dev.stagebuild.api.SourceStatus;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildStatus;
import dev.stagebuild.api.StageStatus;
import dev.stagebuild.testing.Builds;
import dev.stagebuild.testing.MockCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;

/** StageBuilds with a status, their pods and pod logs, in the mock API server. */
final class BuildFixtures {
  static final String NS = "demo";

  private BuildFixtures() {}

  static StageStatus stage(String name, String phase, String pod, String start, String end) {
    StageStatus s = new StageStatus();
    s.name = name;
    s.phase = phase;
    s.podName = pod;
    s.attempts = pod == null ? null : 1;
    s.startTime = start;
    s.completionTime = end;
    return s;
  }

  static Condition condition(String type, String status, String reason, String message) {
    return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastTransitionTime("2026-11-26T10:00:58Z").build();
  }

  /** hellogo's build 1: source pod, build, stage-1; succeeded or still running. */
  static StageBuildStatus hellogo(boolean done) {
    StageBuildStatus st = new StageBuildStatus();
    st.buildId = "1";
    st.observedGeneration = 1L;
    st.startTime = "2026-11-26T10:00:00Z";
    st.source = new SourceStatus();
    st.source.podName = "hellogo-1-source";
    st.source.phase = "Succeeded";
    st.stages = List.of(
        stage("build", "Succeeded", "hellogo-1-build", "2026-11-26T10:00:03Z", "2026-11-26T10:00:41Z"),
        done ? stage("stage-1", "Succeeded", "hellogo-1-stage-1", "2026-11-26T10:00:42Z", "2026-11-26T10:00:58Z")
            : stage("stage-1", "Waiting", null, null, null));
    st.stages.get(0).dependsOn = List.of();
    st.stages.get(1).dependsOn = List.of("build");
    st.stagesDone = done ? "2/2" : "1/2";
    if (done) {
      st.completionTime = "2026-11-26T10:00:58Z";
      st.conditions = List.of(condition("Succeeded", "True", "Succeeded", "pushed r/hellogo@sha256:2c2a"),
          condition("Ready", "True", "Succeeded", null));
      st.output = new OutputStatus();
      st.output.image = "r/hellogo:0.0.2";
      st.output.digest = "sha256:2c2ab690";
      st.output.imageRef = "r/hellogo@sha256:2c2ab690";
      st.output.size = 9620000L;
      st.output.sizeText = "9.62MB";
    } else {
      st.conditions = List.of(condition("Succeeded", "Unknown", "Running", null),
          condition("Ready", "False", "Running", null));
    }
    return st;
  }

  static StageBuild create(MockCluster cluster, String name, StageBuildStatus status) {
    StageBuild sb = Builds.inline(name, "FROM alpine\n");
    sb.getMetadata().setNamespace(NS);
    StageBuild created = cluster.client().resource(sb).inNamespace(NS).create();
    created.setStatus(status);
    return cluster.client().resource(created).inNamespace(NS).updateStatus();
  }

  static void setStatus(MockCluster cluster, String name, StageBuildStatus status) {
    StageBuild sb = cluster.client().resources(StageBuild.class).inNamespace(NS).withName(name).get();
    sb.setStatus(status);
    cluster.client().resource(sb).inNamespace(NS).updateStatus();
  }

  /** A pod in this phase whose log (plain and followed) is {@code log}. */
  static void pod(MockCluster cluster, String name, String phase, String log) {
    podWithoutLog(cluster, name, phase);
    cluster.dispatcher().serveLog(NS, name, log);
  }

  static void podWithoutLog(MockCluster cluster, String name, String phase) {
    Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
        .withNewSpec().addNewContainer().withName("c").withImage("i").endContainer().endSpec().build();
    Pod created = cluster.client().pods().inNamespace(NS).resource(pod).create();
    created.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase(phase).build());
    cluster.client().pods().inNamespace(NS).resource(created).updateStatus();
  }
}
