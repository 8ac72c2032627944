package dev.stagebuild.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagebuild.dockerfile.WordExpander.Expansion;
import dev.stagebuild.dockerfile.WordExpander.Variable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WordExpanderTest {
  private static final Map<String, String> VARS = Map.of("A", "alpha", "EMPTY", "", "V", "v1.2.3",
      "P", "/usr/local/bin/tool", "S", "a b");

  private static final WordExpander.Env ENV = name -> VARS.containsKey(name)
      ? Variable.of(VARS.get(name)) : name.equals("IMG") ? Variable.UNKNOWN : Variable.UNSET;

  private static String expand(String word) {
    Expansion e = WordExpander.expand(word, '\\', ENV, 7);
    assertThat(e.resolved()).as("resolved: " + word).isTrue();
    return e.value();
  }

  /**
   * BuildKit's lexer reads a name rune by rune with unicode.IsLetter/IsDigit: a letter outside the
   * BMP (U+1D400, two UTF-16 chars) is part of the name, as is a run of such digits (U+1D7CE).
   */
  @Test
  void namesAreReadByCodePointAsGoReadsRunes() {
    String bold = "\uD835\uDC00"; // U+1D400 MATHEMATICAL BOLD CAPITAL A, a letter
    String digit = "\uD835\uDFCF"; // U+1D7CF MATHEMATICAL BOLD DIGIT ONE, a decimal digit
    WordExpander.Env env = name -> name.equals(bold) ? Variable.of("..") : name.equals("X" + bold) ? Variable.of("x")
        : Variable.UNSET;
    assertThat(WordExpander.expand("$" + bold + "/$" + bold + "/kaniko", '\\', env, 7).value()).isEqualTo("../../kaniko");
    assertThat(WordExpander.expand("${" + bold + "}", '\\', env, 7).value()).isEqualTo("..");
    assertThat(WordExpander.expand("$X" + bold + "-y", '\\', env, 7).value()).isEqualTo("x-y");
    assertThat(WordExpander.expand("$" + digit + "a", '\\', env, 7).value()).isEqualTo("a");
  }

  /**
   * BuildKit matches ${V#p}, ${V%p} and ${V/p/r} with a Go regular expression: ? (.) is one rune,
   * not one UTF-16 char, and neither ? nor * (.*) matches a line feed.
   */
  @Test
  void patternsMatchCodePointsAndNoLineFeedAsGosRegexpDoes() {
    String bold = "\uD835\uDC00"; // U+1D400, one rune, two chars
    Map<String, String> vars = Map.of("L", bold + "/etc/passwd", "T", "/etc" + bold, "B", "a" + bold,
        "N", "a\nb/c", "M", "\nq");
    WordExpander.Env env = name -> vars.containsKey(name) ? Variable.of(vars.get(name)) : Variable.UNSET;
    java.util.function.Function<String, String> ex = w -> WordExpander.expand(w, '\\', env, 7).value();
    assertThat(ex.apply("${L#?}")).isEqualTo("/etc/passwd");
    assertThat(ex.apply("${T%?}")).isEqualTo("/etc");
    assertThat(ex.apply("${B//?/-}")).isEqualTo("--");
    assertThat(ex.apply("${L/" + bold + "/x}")).isEqualTo("x/etc/passwd");
    assertThat(ex.apply("${N#*/}")).isEqualTo("a\nb/c");
    assertThat(ex.apply("${N##*b}")).isEqualTo("a\nb/c");
    assertThat(ex.apply("${M#?}")).isEqualTo("\nq");
    assertThat(ex.apply("${N%/*}")).isEqualTo("a\nb");
    assertThat(ex.apply("${N//*/-}")).isEqualTo("-\n-");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
      "$A|alpha",
      "${A}|alpha",
      "x$A-y|xalpha-y",
      "$NOPE|~~",
      "${NOPE:-dflt}|dflt",
      "${EMPTY:-dflt}|dflt",
      "${EMPTY-dflt}|~~",
      "${NOPE-dflt}|dflt",
      "${A:-dflt}|alpha",
      "${A:+alt}|alt",
      "${EMPTY:+alt}|~~",
      "${EMPTY+alt}|alt",
      "${NOPE+alt}|~~",
      "${NOPE:-${A}}|alpha",
      "${NOPE:-\"quoted ${A}\"}|quoted alpha",
      "\\$A|$A",
      "'$A'|$A",
      "\"$A\"|alpha",
      "\"\\$A\"|$A",
      "\"a\\b\"|a\\b",
      "a\\ b|a b",
      "${V#v}|1.2.3",
      "${V#*.}|2.3",
      "${V##*.}|3",
      "${V%.*}|v1.2",
      "${V%%.*}|v1",
      "${P##*/}|tool",
      "${P%/*}|/usr/local/bin",
      "${V/./-}|v1-2.3",
      "${V//./-}|v1-2-3",
      "${V//[0-9]/x}|v1.2.3",
      "${V/#v/w}|v1.2.3",
      "$|$",
      "$1|~~",
      "a$|a$",
      "${S}|a b",
  })
  void expandsLikeDocker(String word, String expected) {
    assertThat(expand(word)).isEqualTo(expected);
  }

  @Test
  void backtickEscape() {
    assertThat(WordExpander.expand("c:\\x`$A", '`', ENV, 1).value()).isEqualTo("c:\\x$A");
  }

  @Test
  void unknownVariablesAreReportedNotGuessed() {
    Expansion e = WordExpander.expand("/x/${IMG}/y", '\\', ENV, 1);
    assertThat(e.resolved()).isFalse();
    assertThat(e.unresolved()).isEqualTo("IMG");
    assertThat(WordExpander.expand("${IMG:-x}", '\\', ENV, 1).resolved()).isFalse();
  }

  @Test
  void variablesOnlyLeavesQuotes() {
    assertThat(WordExpander.expandVariablesOnly("'$A'", '\\', ENV, 1).value()).isEqualTo("'alpha'");
  }

  @Test
  void errorsCarryTheLine() {
    assertThatThrownBy(() -> expand("${A")).isInstanceOf(DockerfileException.class)
        .hasMessageContaining("line 7").hasMessageContaining("missing '}'");
    assertThatThrownBy(() -> expand("${}")).hasMessageContaining("bad substitution");
    assertThatThrownBy(() -> expand("${A:=x}")).hasMessageContaining("unsupported modifier (:=)");
    assertThatThrownBy(() -> expand("${A:#x}")).hasMessageContaining("unsupported modifier (:#)");
    assertThatThrownBy(() -> expand("\"abc")).hasMessageContaining("matching double-quote");
    assertThatThrownBy(() -> expand("'abc")).hasMessageContaining("matching single-quote");
    assertThatThrownBy(() -> expand("${NOPE:?must be set}")).hasMessageContaining("NOPE: must be set");
    assertThatThrownBy(() -> expand("${EMPTY:?}")).hasMessageContaining("not allowed to be empty");
    assertThatThrownBy(() -> expand("${A/\\x/y}")).hasMessageContaining("invalid escape");
  }

  @Test
  void nestingIsBounded() {
    String deep = "${A:-".repeat(10_000) + "x" + "}".repeat(10_000);
    assertThatThrownBy(() -> expand(deep)).isInstanceOf(DockerfileException.class)
        .hasMessageContaining("nested");
  }

  @Test
  void patternMatchingHasAWorkBudget() {
    Map<String, String> big = Map.of("B", "a".repeat(200_000));
    WordExpander.Env env = n -> big.containsKey(n) ? Variable.of(big.get(n)) : Variable.UNSET;
    assertThatThrownBy(() -> WordExpander.expand("${B//*a*a*a*a*b/x}", '\\', env, 1))
        .isInstanceOf(DockerfileException.class).hasMessageContaining("too costly");
    assertThat(WordExpander.expand("${B%a}", '\\', env, 1).value()).hasSize(199_999);
  }

  /**
   * Each word below stays under the per-word limits and expands to nothing, but matches a pattern
   * over a 256 KiB value: ten thousand of them cost minutes of CPU unless the plan counts the work.
   */
  @Test
  void thePlanCountsTheWorkOfEveryWordAlsoOfWordsThrownAway() {
    Map<String, String> big = Map.of("B", "a".repeat(WordExpander.MAX_WORD_CHARS));
    WordExpander.Env env = n -> big.containsKey(n) ? Variable.of(big.get(n)) : Variable.UNSET;
    for (String word : List.of("${U:+${B/b/}}", "${U:+${B%b}}", "${U:+$B}")) {
      try (WordExpander.Budget budget = WordExpander.budget()) {
        assertThat(WordExpander.expand(word, '\\', env, 1).resolved()).isTrue(); // one is fine
        assertThatThrownBy(() -> {
          for (int i = 0; i < 10_000; i++) {
            WordExpander.expand(word, '\\', env, i);
          }
        }).as(word).isInstanceOf(DockerfileException.class).hasMessageContaining("steps of work in all")
            .extracting(e -> ((DockerfileException) e).kind()).isEqualTo(DockerfileException.Kind.TOO_LARGE);
      }
    }
  }

  @Test
  void literalHelpers() {
    assertThat(WordExpander.isLiteral("/a/b*.txt", '\\')).isTrue();
    assertThat(WordExpander.isLiteral("$x", '\\')).isFalse();
    assertThat(WordExpander.escapeLiteral("a$b\"c", '\\')).isEqualTo("a\\$b\\\"c");
    assertThat(expand(WordExpander.escapeLiteral("a$b'c\\d", '\\'))).isEqualTo("a$b'c\\d");
  }
}
