package dev.stagebuild.e2e;

import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * {@link EquivalenceTest}'s cases at odd positions, in a whole run only (see
 * {@link EquivalenceTest#half}): surefire gives this class to the other JVM.
 */
@EnabledIf("hasCases")
class EquivalenceSecondHalfTest extends EquivalenceTest {
  static Stream<String> cases() throws IOException {
    return half(1);
  }

  static boolean hasCases() throws IOException {
    return half(1).findAny().isPresent();
  }
}
