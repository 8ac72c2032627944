package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A multi-stage image build, run as one Kaniko pod per stage. */
@JsonClassDescription("A multi-stage image build: the Dockerfile's stages run as one Kaniko pod each (independent"
    + " stages at the same time), and the final one pushes spec.output.image. A new spec starts a new build.")
@Group(StageBuild.GROUP)
@Version(StageBuild.VERSION)
@Plural("stagebuilds")
@ShortNames("sb")
@Categories({"all", "builds"})
@AdditionalPrinterColumn(name = "Succeeded", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Succeeded\")].status")
@AdditionalPrinterColumn(name = "Reason", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Succeeded\")].reason")
@AdditionalPrinterColumn(name = "Stages", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.stagesDone")
@AdditionalPrinterColumn(name = "Digest", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.output.digest")
@AdditionalPrinterColumn(name = "Size", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.output.sizeText")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE,
    jsonPath = ".metadata.creationTimestamp")
public class StageBuild extends CustomResource<StageBuildSpec, StageBuildStatus> implements Namespaced {
  public static final String GROUP = "stagebuild.dev";
  public static final String VERSION = "v1alpha1";
  /** Changing this annotation to any new value forces a rebuild of the same spec. */
  public static final String REBUILD_ANNOTATION = GROUP + "/rebuild";

  // Overridden only to describe spec and status in the CRD (the fields are CustomResource's).
  @Override
  @JsonPropertyDescription("What to build (source, Dockerfile, target, build arguments), where to push it, and how to"
      + " run each stage. Changing it starts a new build and stops the old one's pods.")
  public StageBuildSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("The build of the latest spec as the operator last saw it: conditions (Ready, Succeeded,"
      + " Reconciling, Stalled), each stage's pod and phase, and the pushed image's digest and size.")
  public StageBuildStatus getStatus() {
    return super.getStatus();
  }

  @Override
  protected StageBuildStatus initStatus() {
    return new StageBuildStatus();
  }
}
