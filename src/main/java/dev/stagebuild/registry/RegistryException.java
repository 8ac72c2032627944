package dev.stagebuild.registry;

import java.util.Objects;

/**
 * Reading an image from a registry failed. The {@link #reason()} says what kind of failure it was
 * (the operator maps it to a condition reason); the message says what happened in words a person
 * can act on, and never contains a password or token.
 */
public class RegistryException extends Exception {

  private static final long serialVersionUID = 1L;

  /** What kind of failure. */
  public enum Reason {
    /**
     * The registry (or its token service) could not be reached: DNS, connection refused, TLS
     * handshake, timeout.
     */
    UNREACHABLE("RegistryUnreachable"),
    /** The registry refused the credentials that were tried, or anonymous access. */
    UNAUTHORIZED("RegistryUnauthorized"),
    /** The repository or the manifest does not exist. */
    NOT_FOUND("ImageNotFound"),
    /** The registry answered with something this client does not understand or accept. */
    PROTOCOL("RegistryProtocolError");

    private final String conditionReason;

    Reason(String conditionReason) {
      this.conditionReason = conditionReason;
    }

    /** A CamelCase reason suitable for a status condition. */
    public String conditionReason() {
      return conditionReason;
    }
  }

  private final Reason reason;

  public RegistryException(Reason reason, String message) {
    this(reason, message, null);
  }

  public RegistryException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
