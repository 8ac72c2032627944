package dev.stagebuild.registry;

import static dev.stagebuild.registry.ImageReference.DEFAULT_REGISTRY;
import static dev.stagebuild.registry.ImageReference.DEFAULT_REGISTRY_API_HOST;
import static dev.stagebuild.registry.ImageReference.DEFAULT_REGISTRY_INDEX_HOST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class DockerConfigTest {

  static DockerConfig parse(String json) {
    return DockerConfig.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void authFieldIsBase64OfUserColonPassword() {
    DockerConfig config =
        parse("{\"auths\":{\"registry.example.com\":{\"auth\":\"" + b64("alice:s3cr:et") + "\"}}}");
    Credentials c = config.credentialsFor("registry.example.com");
    assertThat(c.kind()).isEqualTo(Credentials.Kind.BASIC);
    assertThat(c.username()).contains("alice");
    assertThat(c.secret()).isEqualTo("s3cr:et");
  }

  @Test
  void authFieldWithoutPaddingOrWithLineBreaks() {
    String encoded = b64("bob:pw1"); // "Ym9iOnB3MQ=="
    DockerConfig config =
        parse(
            "{\"auths\":{\"a.example.com\":{\"auth\":\""
                + encoded.replace("=", "")
                + "\"},\"b.example.com\":{\"auth\":\""
                + encoded.substring(0, 4)
                + "\\n"
                + encoded.substring(4)
                + "\"}}}");
    assertThat(config.credentialsFor("a.example.com").secret()).isEqualTo("pw1");
    assertThat(config.credentialsFor("b.example.com").secret()).isEqualTo("pw1");
  }

  @Test
  void usernameAndPasswordFields() {
    DockerConfig config =
        parse(
            "{\"auths\":{\"registry.example.com\":{\"username\":\"alice\",\"password\":\"pw\","
                + "\"email\":\"alice@example.com\"}}}");
    Credentials c = config.credentialsFor("registry.example.com");
    assertThat(c).isEqualTo(Credentials.basic("alice", "pw"));
  }

  @Test
  void authFieldWinsOverUsernameAndPassword() {
    DockerConfig config =
        parse(
            "{\"auths\":{\"registry.example.com\":{\"username\":\"old\",\"password\":\"old\","
                + "\"auth\":\""
                + b64("new:pw")
                + "\"}}}");
    assertThat(config.credentialsFor("registry.example.com")).isEqualTo(Credentials.basic("new", "pw"));
  }

  @Test
  void identityToken() {
    DockerConfig config =
        parse(
            "{\"auths\":{\"registry.example.com\":{\"auth\":\""
                + b64("00000000-0000-0000-0000-000000000000:")
                + "\",\"identitytoken\":\"refresh-me\"}}}");
    Credentials c = config.credentialsFor("registry.example.com");
    assertThat(c.kind()).isEqualTo(Credentials.Kind.IDENTITY_TOKEN);
    assertThat(c.username()).contains("00000000-0000-0000-0000-000000000000");
    assertThat(c.secret()).isEqualTo("refresh-me");
  }

  @Test
  void identityTokenWithoutUser() {
    Credentials c =
        parse("{\"auths\":{\"registry.example.com\":{\"identitytoken\":\"t\"}}}")
            .credentialsFor("registry.example.com");
    assertThat(c).isEqualTo(Credentials.identityToken(null, "t"));
  }

  @Test
  void registryToken() {
    Credentials c =
        parse("{\"auths\":{\"registry.example.com\":{\"registrytoken\":\"bearer-token\"}}}")
            .credentialsFor("registry.example.com");
    assertThat(c.kind()).isEqualTo(Credentials.Kind.REGISTRY_TOKEN);
    assertThat(c.secret()).isEqualTo("bearer-token");
  }

  @Test
  void keysGivenAsUrlsMatchTheirHost() {
    DockerConfig config =
        parse(
            "{\"auths\":{"
                + "\"https://registry.example.com/v1/\":{\"auth\":\""
                + b64("a:1")
                + "\"},"
                + "\"http://other.example.com:5000\":{\"auth\":\""
                + b64("b:2")
                + "\"}}}");
    assertThat(config.credentialsFor("registry.example.com")).isEqualTo(Credentials.basic("a", "1"));
    assertThat(config.credentialsFor("other.example.com:5000")).isEqualTo(Credentials.basic("b", "2"));
    assertThat(config.credentialsFor("other.example.com").isAnonymous()).isTrue();
    assertThat(config.credentialsFor("registry.example.com:5000").isAnonymous()).isTrue();
    assertThat(config.registries()).containsExactly("registry.example.com", "other.example.com:5000");
  }

  @Test
  void hostMatchingIgnoresCase() {
    DockerConfig config =
        parse("{\"auths\":{\"Registry.Example.COM\":{\"auth\":\"" + b64("a:1") + "\"}}}");
    assertThat(config.credentialsFor("registry.example.com").isAnonymous()).isFalse();
    assertThat(config.credentialsFor(ImageReference.parse("REGISTRY.example.com/app")).isAnonymous())
        .isFalse();
  }

  @Test
  void defaultRegistryAliasesAreOneRegistry() {
    for (String key :
        new String[] {
          "https://" + DEFAULT_REGISTRY_INDEX_HOST + "/v1/",
          DEFAULT_REGISTRY_INDEX_HOST,
          DEFAULT_REGISTRY,
          "https://" + DEFAULT_REGISTRY_API_HOST,
        }) {
      DockerConfig config = parse("{\"auths\":{\"" + key + "\":{\"auth\":\"" + b64("hub:pw") + "\"}}}");
      Credentials expected = Credentials.basic("hub", "pw");
      assertThat(config.credentialsFor(DEFAULT_REGISTRY)).as(key).isEqualTo(expected);
      assertThat(config.credentialsFor(DEFAULT_REGISTRY_INDEX_HOST)).as(key).isEqualTo(expected);
      assertThat(config.credentialsFor(ImageReference.parse("busybox"))).as(key).isEqualTo(expected);
      assertThat(config.credentialsFor(ImageReference.parse("team/app:1"))).as(key).isEqualTo(expected);
    }
  }

  @Test
  void unknownRegistryIsAnonymous() {
    DockerConfig config =
        parse("{\"auths\":{\"registry.example.com\":{\"auth\":\"" + b64("a:1") + "\"}}}");
    assertThat(config.credentialsFor("elsewhere.example.com")).isEqualTo(Credentials.anonymous());
    assertThat(DockerConfig.empty().credentialsFor("registry.example.com").isAnonymous()).isTrue();
  }

  @Test
  void emptyEntryIsAnonymousAndDoesNotHideARealOne() {
    DockerConfig config =
        parse(
            "{\"auths\":{\"https://registry.example.com\":{},"
                + "\"registry.example.com\":{\"auth\":\""
                + b64("a:1")
                + "\"},"
                + "\"empty.example.com\":{\"auth\":\"\"}}}");
    assertThat(config.credentialsFor("registry.example.com")).isEqualTo(Credentials.basic("a", "1"));
    assertThat(config.credentialsFor("empty.example.com").isAnonymous()).isTrue();
  }

  @Test
  void legacyDockercfgFormat() {
    DockerConfig config =
        parse("{\"https://registry.example.com\":{\"auth\":\"" + b64("old:pw") + "\",\"email\":\"x\"}}");
    assertThat(config.credentialsFor("registry.example.com")).isEqualTo(Credentials.basic("old", "pw"));
  }

  @Test
  void onlyCredentialHelpersMeansNoCredentials() {
    DockerConfig config = parse("{\"credsStore\":\"desktop\",\"credHelpers\":{\"a.example.com\":\"x\"}}");
    assertThat(config.registries()).isEmpty();
    assertThat(parse("{}").registries()).isEmpty();
  }

  @Test
  void invalidJsonDoesNotEchoTheContent() {
    assertThatThrownBy(() -> parse("{\"auths\":{\"r.example.com\":{\"password\":\"hunter2-secret\" oops"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid JSON")
        .hasMessageNotContaining("hunter2")
        .hasNoCause();
  }

  @Test
  void invalidStructures() {
    assertThatThrownBy(() -> DockerConfig.parse(new byte[0])).hasMessageContaining("empty");
    assertThatThrownBy(() -> parse("[]")).hasMessageContaining("JSON object");
    assertThatThrownBy(() -> parse("{\"auths\":[]}")).hasMessageContaining("\"auths\"");
    assertThatThrownBy(() -> parse("{\"auths\":{\"r.example.com\":\"x\"}}"))
        .hasMessageContaining("r.example.com");
    assertThatThrownBy(() -> parse("{\"auths\":{\"r.example.com\":{\"username\":1}}}"))
        .hasMessageContaining("\"username\"");
    assertThatThrownBy(() -> parse("{\"auths\":{\"https:///\":{}}}")).hasMessageContaining("no host");
  }

  @Test
  void badAuthFieldsNameTheRegistryButNotTheSecret() {
    assertThatThrownBy(() -> parse("{\"auths\":{\"r.example.com\":{\"auth\":\"%%secret%%\"}}}"))
        .hasMessageContaining("r.example.com")
        .hasMessageContaining("base64")
        .hasMessageNotContaining("secret%");
    assertThatThrownBy(
            () -> parse("{\"auths\":{\"r.example.com\":{\"auth\":\"" + b64("nocolonsecret") + "\"}}}"))
        .hasMessageContaining("<username>:<password>")
        .hasMessageNotContaining("nocolonsecret");
    assertThatThrownBy(() -> parse("{\"auths\":{\"r.example.com\":{\"password\":\"pw-secret\"}}}"))
        .hasMessageContaining("no username")
        .hasMessageNotContaining("pw-secret");
  }

  @Test
  void toStringNeverShowsSecrets() {
    DockerConfig config =
        parse(
            "{\"auths\":{\"a.example.com\":{\"auth\":\""
                + b64("alice:pw-secret")
                + "\"},\"b.example.com\":{\"identitytoken\":\"id-secret\"},"
                + "\"c.example.com\":{\"registrytoken\":\"reg-secret\"}}}");
    assertThat(config.toString())
        .contains("a.example.com", "alice")
        .doesNotContain("pw-secret", "id-secret", "reg-secret");
    assertThat(config.credentialsFor("a.example.com").toString())
        .contains("alice")
        .doesNotContain("pw-secret");
  }
}
