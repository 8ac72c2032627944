package dev.stagebuild.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A pass writes the status only when the decided one differs from the one it read, by
 * {@code equals}. A field left out of an {@code equals} would be a change never written: every
 * field of every class the status holds (found by walking it, so a new class or field is checked
 * too) must take part, and equal objects must write the same JSON.
 */
class StatusEqualityTest {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  @Test
  void everyFieldOfEveryStatusClassTakesPartInEquals() throws Exception {
    Set<Class<?>> classes = statusClasses();
    assertThat(classes).contains(StageBuildStatus.class, StageStatus.class, StepRecord.class,
        OutputStatus.class, SourceStatus.class, PlatformImage.class);
    for (Class<?> type : classes) {
      Object a = filled(type, 1);
      Object same = filled(type, 1);
      assertThat(same).as(type.getSimpleName()).isEqualTo(a).hasSameHashCodeAs(a);
      assertThat(JSON.asJson(same)).isEqualTo(JSON.asJson(a));
      for (Field f : fields(type)) {
        Object changed = filled(type, 1);
        f.set(changed, sample(f.getGenericType(), 2));
        assertThat(changed).as(type.getSimpleName() + "." + f.getName() + " changed").isNotEqualTo(a);
        Object cleared = filled(type, 1);
        f.set(cleared, null);
        assertThat(cleared).as(type.getSimpleName() + "." + f.getName() + " cleared").isNotEqualTo(a);
      }
    }
  }

  @Test
  void aStatusReadBackFromJsonEqualsTheOneWritten() throws Exception {
    StageBuildStatus written = (StageBuildStatus) filled(StageBuildStatus.class, 1);
    StageBuildStatus read = JSON.unmarshal(JSON.asJson(written), StageBuildStatus.class);
    assertThat(read).isEqualTo(written);
    StageBuildStatus empty = JSON.unmarshal("{}", StageBuildStatus.class);
    assertThat(empty).isEqualTo(new StageBuildStatus());
  }

  /** The classes of this package reachable from the status's fields. */
  private static Set<Class<?>> statusClasses() {
    Set<Class<?>> found = new LinkedHashSet<>();
    List<Class<?>> todo = new ArrayList<>(List.of(StageBuildStatus.class));
    while (!todo.isEmpty()) {
      Class<?> c = todo.remove(0);
      if (!found.add(c)) {
        continue;
      }
      for (Field f : fields(c)) {
        Type t = f.getGenericType();
        Class<?> raw = t instanceof ParameterizedType p ? (Class<?>) p.getActualTypeArguments()[0] : f.getType();
        if (raw.getPackage() == StageBuildStatus.class.getPackage()) {
          todo.add(raw);
        }
      }
    }
    return found;
  }

  private static List<Field> fields(Class<?> type) {
    return List.of(type.getFields()).stream().filter(f -> !Modifier.isStatic(f.getModifiers())).toList();
  }

  /** Each field a value of its own: a field compared with another one fails the equality of two copies. */
  private static Object filled(Class<?> type, int variant) throws Exception {
    Object o = type.getConstructor().newInstance();
    List<Field> fields = fields(type);
    for (int n = 0; n < fields.size(); n++) {
      fields.get(n).set(o, sample(fields.get(n).getGenericType(), variant * 100 + n));
    }
    return o;
  }

  private static Object sample(Type type, int variant) throws Exception {
    if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
      return new ArrayList<>(List.of(sample(p.getActualTypeArguments()[0], variant)));
    }
    if (type == String.class) {
      return "v" + variant;
    }
    if (type == Integer.class) {
      return variant;
    }
    if (type == Long.class) {
      return (long) variant;
    }
    if (type == Condition.class) {
      return new ConditionBuilder().withType("Ready").withStatus("True").withReason("R" + variant)
          .withMessage("m").withObservedGeneration(1L).withLastTransitionTime("2026-12-05T00:00:00Z").build();
    }
    if (type instanceof Class<?> c && c.getPackage() == StageBuildStatus.class.getPackage()) {
      return filled(c, variant);
    }
    throw new AssertionError("no sample value for " + type + ": teach this test the new field type");
  }
}
