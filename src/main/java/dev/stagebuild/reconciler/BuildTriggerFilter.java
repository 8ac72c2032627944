package dev.stagebuild.reconciler;

import dev.stagebuild.api.StageBuild;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Map;
import java.util.Objects;

/**
 * Which updates of a StageBuild start a reconcile. Generation-aware processing alone would drop the
 * rebuild annotation (an annotation never bumps metadata.generation), and turning it off alone would
 * wake the operator for every status it writes itself. So: a new generation, a changed rebuild
 * annotation, or a deletion.
 */
public class BuildTriggerFilter implements OnUpdateFilter<StageBuild> {
  @Override
  public boolean accept(StageBuild newResource, StageBuild oldResource) {
    if (oldResource == null) {
      return true;
    }
    Long before = oldResource.getMetadata().getGeneration();
    Long after = newResource.getMetadata().getGeneration();
    if (before == null || after == null || after > before) {
      return true;
    }
    if (!Objects.equals(annotation(oldResource), annotation(newResource))) {
      return true;
    }
    return newResource.getMetadata().getDeletionTimestamp() != null
        && oldResource.getMetadata().getDeletionTimestamp() == null;
  }

  private static String annotation(StageBuild sb) {
    Map<String, String> a = sb.getMetadata().getAnnotations();
    return a == null ? null : a.get(StageBuild.REBUILD_ANNOTATION);
  }
}
