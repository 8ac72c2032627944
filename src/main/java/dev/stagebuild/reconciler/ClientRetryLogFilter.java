package dev.stagebuild.reconciler;

import io.quarkus.logging.LoggingFilter;
import java.time.Clock;
import java.time.Duration;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Pattern;

/**
 * The Kubernetes client logs each failed retry of a watch or an informer's list, most with a stack
 * trace: while the API server is down, every informer logs one about every 32 s, some 300 an hour
 * for the operator's three. This lets one line of a kind (same logger, same text but for numbers)
 * through every {@link #WINDOW}, noting how many it held back. The client's other lines, and
 * everything below INFO, pass untouched.
 */
@LoggingFilter(name = "client-retries")
public final class ClientRetryLogFilter implements Filter {
  static final Duration WINDOW = Duration.ofMinutes(5);
  private static final String CLIENT = "io.fabric8.kubernetes.client.";
  private static final Pattern NUMBERS = Pattern.compile("\\d+");

  private final RepeatGate gate;

  public ClientRetryLogFilter() {
    this(Clock.systemUTC());
  }

  ClientRetryLogFilter(Clock clock) {
    this.gate = new RepeatGate(clock, WINDOW);
  }

  @Override
  public boolean isLoggable(LogRecord record) {
    String logger = record.getLoggerName();
    if (logger == null || !logger.startsWith(CLIENT) || record.getLevel().intValue() < Level.INFO.intValue()) {
      return true;
    }
    String message = String.valueOf(record.getMessage());
    RepeatGate.Verdict verdict = gate.admit(logger + " " + NUMBERS.matcher(message).replaceAll("#"));
    if (verdict.passes() && !verdict.note().isEmpty()) {
      record.setMessage(message + verdict.note());
    }
    return verdict.passes();
  }
}
