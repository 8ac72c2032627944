package dev.stagebuild.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.stagebuild.registry.RegistryException.Reason;
import dev.stagebuild.registry.testing.LocalRegistry;
import dev.stagebuild.registry.testing.RequiresLocalRegistry;
import dev.stagebuild.registry.testing.TestImages;
import dev.stagebuild.registry.testing.TestImages.Format;
import dev.stagebuild.registry.testing.TestImages.PushedImage;
import dev.stagebuild.registry.testing.TestImages.PushedIndex;
import dev.stagebuild.registry.testing.TokenServer;
import dev.stagebuild.registry.testing.TokenServer.TokenField;
import dev.stagebuild.registry.testing.TokenServer.TokenRequest;
import dev.stagebuild.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bearer-token flow against a real docker-registry in {@code auth: token} mode, with tokens
 * from the in-JVM {@link TokenServer}.
 */
@RequiresLocalRegistry
@Timeout(10)
class RegistryClientTokenAuthTest {

  static TokenServer tokens;
  static LocalRegistry registry;
  static PushedImage app;
  static PushedIndex multi;

  final MutableClock clock = new MutableClock(Instant.now());
  final RegistryClient client = RegistryClient.builder()
      .connectTimeout(Duration.ofSeconds(2))
      .requestTimeout(Duration.ofSeconds(3))
      .clock(clock)
      .build();

  @BeforeAll
  static void start() {
    tokens = TokenServer.start().user("alice", "pa55word").identityToken("refresh-alice", "alice");
    registry = LocalRegistry.builder().tokenAuth(tokens).start();
    TestImages images = TestImages.on(registry);
    app = images.push("team/app", "1.0", TestImages.image().randomLayers(2500, 700));
    multi = images.pushIndex("team/multi", "1.0", Format.OCI,
        TestImages.image().platform("linux/amd64").randomLayers(100),
        TestImages.image().platform("linux/arm64").randomLayers(200));
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
    if (tokens != null) {
      tokens.close();
    }
  }

  @BeforeEach
  void resetTokenServer() {
    tokens.clearRequests();
    tokens.anonymousPull(false).oauthPost(true).tokenField(TokenField.TOKEN)
        .expiresIn(Duration.ofMinutes(5));
  }

  static Credentials basic(String user, String password) {
    String json = "{\"auths\":{\"" + registry.host() + "\":{\"username\":\"" + user
        + "\",\"password\":\"" + password + "\"}}}";
    return DockerConfig.parse(json.getBytes(StandardCharsets.UTF_8)).credentialsFor(registry.host());
  }

  static ImageReference appRef() {
    return ImageReference.parse(app.reference());
  }

  static RegistryException failure(RegistryClientTest.ThrowingInspect call) {
    RegistryException e = catchThrowableOfType(RegistryException.class, call::run);
    assertThat(e).as("expected a RegistryException").isNotNull();
    return e;
  }

  @Test
  void tokenWithBasicCredentialsFromTheRealm() throws Exception {
    ImageInfo info = client.inspect(appRef(), basic("alice", "pa55word"), true);

    assertThat(info.digest()).isEqualTo(app.digest());
    assertThat(info.size()).isEqualTo(app.expectedSize());
    assertThat(tokens.requests()).containsExactly(
        new TokenRequest("GET", "alice", null, TokenServer.SERVICE, java.util.List.of("repository:team/app:pull")));
  }

  @Test
  void tokensAreCachedPerScope() throws Exception {
    Credentials alice = basic("alice", "pa55word");
    client.inspect(appRef(), alice, true);
    client.inspect(appRef(), alice, true);
    assertThat(tokens.requests()).hasSize(1);
    assertThat(client.cachedTokenCount()).isEqualTo(1);

    // another repository is another scope: a new token, requested up front
    client.inspect(ImageReference.parse(multi.reference()), alice, true);
    assertThat(tokens.requests()).hasSize(2);
    assertThat(tokens.requests().get(1).scopes()).containsExactly("repository:team/multi:pull");

    // other credentials never share a token
    tokens.user("bob", "b0b");
    client.inspect(appRef(), basic("bob", "b0b"), true);
    assertThat(tokens.requests()).hasSize(3);
    assertThat(tokens.requests().get(2).user()).isEqualTo("bob");
  }

  @Test
  void expiredTokensAreRenewed() throws Exception {
    tokens.expiresIn(Duration.ofSeconds(120));
    Credentials alice = basic("alice", "pa55word");
    client.inspect(appRef(), alice, true);
    clock.advance(Duration.ofSeconds(100));
    client.inspect(appRef(), alice, true);
    assertThat(tokens.requests()).hasSize(1);

    clock.advance(Duration.ofSeconds(30)); // 130 s: past expires_in
    client.inspect(appRef(), alice, true);
    assertThat(tokens.requests()).hasSize(2);
  }

  @Test
  void indexPlatformsUseTheSameToken() throws Exception {
    ImageInfo info = client.inspect(ImageReference.parse(multi.reference()), basic("alice", "pa55word"), true);
    assertThat(info.digest()).isEqualTo(multi.digest());
    assertThat(info.platforms()).hasSize(2);
    assertThat(info.size()).isEqualTo(multi.platform("linux/amd64").expectedSize());
    assertThat(tokens.requests()).hasSize(1);
  }

  @Test
  void accessTokenFieldIsAccepted() throws Exception {
    tokens.tokenField(TokenField.ACCESS_TOKEN);
    assertThat(client.inspect(appRef(), basic("alice", "pa55word"), true).digest()).isEqualTo(app.digest());
  }

  @Test
  void wrongPasswordIsRejectedByTheTokenService() {
    RegistryException e = failure(() -> client.inspect(appRef(), basic("alice", "wr0ng-pw"), true));
    assertThat(e.reason()).isEqualTo(Reason.UNAUTHORIZED);
    assertThat(e.getMessage())
        .contains("token service " + tokens.realm())
        .contains("user 'alice'")
        .contains(registry.host())
        .doesNotContain("wr0ng-pw");
  }

  @Test
  void anonymousWithoutPullRightsIsUnauthorized() {
    RegistryException e = failure(() -> client.inspect(appRef(), Credentials.anonymous(), true));
    assertThat(e.reason()).isEqualTo(Reason.UNAUTHORIZED);
    assertThat(e.getMessage()).contains("anonymous").contains("insufficient_scope");
    assertThat(tokens.requests()).isNotEmpty().allSatisfy(r -> assertThat(r.user()).isNull());
  }

  @Test
  void anonymousPullWhenTheTokenServiceAllowsIt() throws Exception {
    tokens.anonymousPull(true);
    ImageInfo info = client.inspect(appRef(), null, true);
    assertThat(info.digest()).isEqualTo(app.digest());
  }

  @Test
  void identityTokenIsExchangedWithOAuth2Post() throws Exception {
    Credentials id = DockerConfig.parse(("{\"auths\":{\"" + registry.host()
            + "\":{\"identitytoken\":\"refresh-alice\"}}}").getBytes(StandardCharsets.UTF_8))
        .credentialsFor(registry.host());
    ImageInfo info = client.inspect(appRef(), id, true);
    assertThat(info.digest()).isEqualTo(app.digest());
    assertThat(tokens.requests()).hasSize(1);
    assertThat(tokens.requests().get(0).method()).isEqualTo("POST");
    assertThat(tokens.requests().get(0).grantType()).isEqualTo("refresh_token");
    assertThat(tokens.requests().get(0).user()).isEqualTo("alice");
  }

  @Test
  void identityTokenFallsBackToGetWithoutOAuth2() throws Exception {
    tokens.oauthPost(false);
    Credentials id = Credentials.identityToken("00000000-0000-0000-0000-000000000000", "refresh-alice");
    ImageInfo info = client.inspect(appRef(), id, true);
    assertThat(info.digest()).isEqualTo(app.digest());
    assertThat(tokens.requests()).extracting(TokenRequest::method).containsExactly("POST", "GET");
  }

  @Test
  void wrongIdentityTokenIsUnauthorized() {
    RegistryException e = failure(() ->
        client.inspect(appRef(), Credentials.identityToken(null, "not-a-refresh-token"), true));
    assertThat(e.reason()).isEqualTo(Reason.UNAUTHORIZED);
    assertThat(e.getMessage()).contains("identity token").doesNotContain("not-a-refresh-token");
  }

  @Test
  void registryTokenIsSentAsItIs() throws Exception {
    Credentials token = Credentials.registryToken(tokens.mint("alice", "team/app", "pull"));
    assertThat(client.inspect(appRef(), token, true).digest()).isEqualTo(app.digest());
    assertThat(tokens.requests()).isEmpty();

    Credentials otherRepo = Credentials.registryToken(tokens.mint("alice", "team/other", "pull"));
    RegistryException e = failure(() -> client.inspect(appRef(), otherRepo, true));
    assertThat(e.reason()).isEqualTo(Reason.UNAUTHORIZED);
    assertThat(e.getMessage()).contains("registry token");
  }

}
