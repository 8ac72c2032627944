package dev.stagebuild.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactorTest {
  @Test
  void userInformationOfUrlsIsMasked() {
    assertThat(Redactor.redact("fatal: could not read from https://robot:ghp_abc123@git.test/team/app.git/"))
        .isEqualTo("fatal: could not read from https://***@git.test/team/app.git/");
    assertThat(Redactor.redact("ssh://git@git.test:22/a and http://token@h/x"))
        .isEqualTo("ssh://***@git.test:22/a and http://***@h/x");
    assertThat(Redactor.redactUrl("https://u:p@h/")).isEqualTo("https://***@h/");
    assertThat(Redactor.hasUserInfo("https://u:p@h/")).isTrue();
    assertThat(Redactor.hasUserInfo("https://h/a@b")).isFalse();
  }

  @Test
  void headersAndAssignmentsAreMasked() {
    assertThat(Redactor.redact("Authorization: Basic cm9ib3Q6c2VjcmV0")).doesNotContain("cm9ib3Q6c2VjcmV0");
    assertThat(Redactor.redact("got Bearer eyJhbGciOi.x.y back")).doesNotContain("eyJhbGciOi");
    assertThat(Redactor.redact("GITHUB_TOKEN=ghp_123456 password: hunter2 api_key=\"k-1\""))
        .doesNotContain("ghp_123456", "hunter2", "k-1").contains("GITHUB_TOKEN=***");
  }

  @Test
  void ordinaryTextIsUnchanged() {
    String text = "line 3: COPY --from=build /out/hello /hello failed; see https://docs.test/x";
    assertThat(Redactor.redact(text)).isEqualTo(text);
    assertThat(Redactor.redact(null)).isNull();
  }
}
