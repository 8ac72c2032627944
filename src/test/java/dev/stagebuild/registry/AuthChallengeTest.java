package dev.stagebuild.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {

  @Test
  void bearerWithQuotedCommasInTheScope() {
    List<AuthChallenge> cs =
        AuthChallenge.parse(
            "Bearer realm=\"https://auth.example.com/token\",service=\"registry.example.com\","
                + "scope=\"repository:team/app:pull,push\"");
    assertThat(cs).hasSize(1);
    AuthChallenge c = cs.get(0);
    assertThat(c.isBearer()).isTrue();
    assertThat(c.realm()).isEqualTo("https://auth.example.com/token");
    assertThat(c.service()).isEqualTo("registry.example.com");
    assertThat(c.scope()).isEqualTo("repository:team/app:pull,push");
  }

  @Test
  void basic() {
    List<AuthChallenge> cs = AuthChallenge.parse("Basic realm=\"Registry Realm\"");
    assertThat(cs).hasSize(1);
    assertThat(cs.get(0).isBasic()).isTrue();
    assertThat(cs.get(0).realm()).isEqualTo("Registry Realm");
  }

  @Test
  void schemeWithoutParameters() {
    List<AuthChallenge> cs = AuthChallenge.parse("Basic");
    assertThat(cs).hasSize(1);
    assertThat(cs.get(0).isBasic()).isTrue();
    assertThat(cs.get(0).params()).isEmpty();
  }

  @Test
  void severalChallengesInOneHeader() {
    List<AuthChallenge> cs =
        AuthChallenge.parse(
            "Bearer realm=\"https://auth.example.com/token?a=1,b=2\", service=\"s\", "
                + "Basic realm=\"fallback, with comma\"");
    assertThat(cs).hasSize(2);
    assertThat(cs.get(0).isBearer()).isTrue();
    assertThat(cs.get(0).realm()).isEqualTo("https://auth.example.com/token?a=1,b=2");
    assertThat(cs.get(0).service()).isEqualTo("s");
    assertThat(cs.get(1).isBasic()).isTrue();
    assertThat(cs.get(1).realm()).isEqualTo("fallback, with comma");
  }

  @Test
  void escapedQuotesAndBackslashes() {
    AuthChallenge c = AuthChallenge.parse("Bearer realm=\"a\\\"b\\\\c\",service=\"x\"").get(0);
    assertThat(c.realm()).isEqualTo("a\"b\\c");
    assertThat(c.service()).isEqualTo("x");
  }

  @Test
  void unquotedValues() {
    AuthChallenge c =
        AuthChallenge.parse("Bearer realm=https://auth.example.com/token,service=registry.example.com")
            .get(0);
    assertThat(c.realm()).isEqualTo("https://auth.example.com/token");
    assertThat(c.service()).isEqualTo("registry.example.com");
  }

  @Test
  void caseInsensitiveSchemeAndNamesAndLooseWhitespace() {
    AuthChallenge c =
        AuthChallenge.parse("bearer  Realm = \"https://auth.example.com\" ,  SERVICE=\"s\" ,")
            .get(0);
    assertThat(c.isBearer()).isTrue();
    assertThat(c.scheme()).isEqualTo("bearer");
    assertThat(c.realm()).isEqualTo("https://auth.example.com");
    assertThat(c.param("service")).isEqualTo("s");
    assertThat(c.param("Service")).isEqualTo("s");
  }

  @Test
  void errorParameterOfAnInsufficientScopeChallenge() {
    AuthChallenge c =
        AuthChallenge.parse(
                "Bearer realm=\"https://auth.example.com/token\",service=\"registry.example.com\","
                    + "scope=\"repository:a/b:pull\",error=\"insufficient_scope\"")
            .get(0);
    assertThat(c.param("error")).isEqualTo("insufficient_scope");
    assertThat(c.scope()).isEqualTo("repository:a/b:pull");
  }

  @Test
  void unterminatedQuoteTakesTheRest() {
    AuthChallenge c = AuthChallenge.parse("Bearer realm=\"https://auth.example.com, x").get(0);
    assertThat(c.realm()).isEqualTo("https://auth.example.com, x");
  }

  @Test
  void emptyAndNull() {
    assertThat(AuthChallenge.parse(null)).isEmpty();
    assertThat(AuthChallenge.parse("")).isEmpty();
    assertThat(AuthChallenge.parse(" , ")).isEmpty();
  }

  @Test
  void parameterBeforeAnySchemeIsIgnored() {
    List<AuthChallenge> cs = AuthChallenge.parse("realm=\"x\", Basic realm=\"y\"");
    assertThat(cs).hasSize(1);
    assertThat(cs.get(0).realm()).isEqualTo("y");
  }

  @Test
  void severalHeaderValues() {
    List<AuthChallenge> cs =
        AuthChallenge.parseAll(List.of("Bearer realm=\"r\"", "Basic realm=\"b\""));
    assertThat(cs).extracting(AuthChallenge::scheme).containsExactly("Bearer", "Basic");
  }
}
