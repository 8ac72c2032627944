package dev.stagebuild.reconciler;

import dev.stagebuild.RootCause;
import io.quarkus.logging.LoggingFilter;
import java.time.Clock;
import java.time.Duration;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Pattern;
import org.jboss.logmanager.ExtLogRecord;

/**
 * The Kubernetes client logs each failed retry of a watch or an informer's list, most with a stack
 * trace: while the API server is down, every informer logs one about every 32 s, some 300 an hour
 * for the operator's three. This lets one retry line of a kind (same logger, same text but for
 * numbers, same innermost cause) through every {@link #WINDOW}, noting how many it held back. The
 * client's other lines, and everything below INFO, pass untouched.
 */
@LoggingFilter(name = "client-retries")
public final class ClientRetryLogFilter implements Filter {
  static final Duration WINDOW = Duration.ofMinutes(5);
  private static final String CLIENT = "io.fabric8.kubernetes.client.";
  private static final Pattern NUMBERS = Pattern.compile("\\d+");
  /** How the client's retry lines end: "will retry", "will reconnect if possible", "Exception in reconnect". */
  private static final Pattern RETRY = Pattern.compile("will retry|reconnect", Pattern.CASE_INSENSITIVE);

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
    if (!RETRY.matcher(message).find()) {
      return true;
    }
    String cause = record.getThrown() == null ? "" : RootCause.of(record.getThrown()).getClass().getName();
    RepeatGate.Verdict verdict = gate.admit(logger + " " + NUMBERS.matcher(message).replaceAll("#") + " " + cause);
    if (verdict.passes() && !verdict.note().isEmpty()) {
      withNote(record, message + verdict.note());
    }
    return verdict.passes();
  }

  /**
   * JBoss LogManager's records from slf4j hold the text already formatted, with its arguments kept:
   * a plain setMessage would switch the record to MessageFormat and format that text again (a brace
   * in it, as in a Status dump, then fails and the line is lost). The record's own style is kept.
   */
  private static void withNote(LogRecord record, String message) {
    if (record instanceof ExtLogRecord ext) {
      ext.setMessage(message, ext.getFormatStyle());
    } else {
      record.setMessage(message);
    }
  }
}
