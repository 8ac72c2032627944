package dev.stagebuild.registry;

import java.util.Objects;
import java.util.Optional;

/**
 * What to authenticate to a registry with. The secret part is never shown: {@link #toString()}
 * and {@link #describe()} name only the kind and the user, so that both can go into logs and
 * error messages.
 */
public final class Credentials {

  /** The kinds of credentials a docker config entry can hold. */
  public enum Kind {
    /** No credentials; tokens are requested anonymously. */
    ANONYMOUS,
    /** A user name and password (or personal access token), sent as HTTP Basic. */
    BASIC,
    /**
     * An OAuth2 refresh token ({@code identitytoken} in a docker config), exchanged at the token
     * realm for an access token.
     */
    IDENTITY_TOKEN,
    /** A bearer token sent to the registry as it is ({@code registrytoken} in a docker config). */
    REGISTRY_TOKEN
  }

  private static final Credentials ANONYMOUS = new Credentials(Kind.ANONYMOUS, null, null);

  private final Kind kind;
  private final String username;
  private final String secret;

  private Credentials(Kind kind, String username, String secret) {
    this.kind = kind;
    this.username = username;
    this.secret = secret;
  }

  /** No credentials. */
  public static Credentials anonymous() {
    return ANONYMOUS;
  }

  /** A user name and password for HTTP Basic (directly, or at a token realm). */
  public static Credentials basic(String username, String password) {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    return new Credentials(Kind.BASIC, username, password);
  }

  /**
   * An identity (OAuth2 refresh) token.
   *
   * @param username the user name stored next to it, or null
   */
  public static Credentials identityToken(String username, String identityToken) {
    Objects.requireNonNull(identityToken, "identityToken");
    return new Credentials(Kind.IDENTITY_TOKEN, username, identityToken);
  }

  /** A registry bearer token, used as it is. */
  public static Credentials registryToken(String token) {
    Objects.requireNonNull(token, "token");
    return new Credentials(Kind.REGISTRY_TOKEN, null, token);
  }

  public Kind kind() {
    return kind;
  }

  public boolean isAnonymous() {
    return kind == Kind.ANONYMOUS;
  }

  /** The user name, if these credentials have one. */
  public Optional<String> username() {
    return Optional.ofNullable(username);
  }

  /** The password or token. Package-private so that it cannot leak through the public API. */
  String secret() {
    return secret;
  }

  /**
   * A description for people that never includes the secret, e.g. {@code the password of user
   * 'ci-bot'}.
   */
  public String describe() {
    switch (kind) {
      case BASIC:
        return "the password of user '" + username + "'";
      case IDENTITY_TOKEN:
        return username == null || username.isEmpty()
            ? "an identity token"
            : "an identity token for user '" + username + "'";
      case REGISTRY_TOKEN:
        return "a registry token";
      default:
        return "no credentials (anonymous)";
    }
  }

  @Override
  public String toString() {
    return "Credentials[" + describe() + "]";
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Credentials)) {
      return false;
    }
    Credentials other = (Credentials) o;
    return kind == other.kind
        && Objects.equals(username, other.username)
        && Objects.equals(secret, other.secret);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, username, secret);
  }
}
