package io.cfworkers.operator.support.operator;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures every log record of the process (all categories, all levels that are enabled) with its
 * formatted message and stack traces, so tests can assert what never appears in logs.
 */
public final class CapturedLogs extends Handler {
  private static final CapturedLogs INSTANCE = new CapturedLogs();
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private CapturedLogs() {
    setLevel(Level.ALL);
  }

  /** Installs the capture on the root logger once, and returns it. */
  public static synchronized CapturedLogs install() {
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      if (h == INSTANCE) {
        return INSTANCE;
      }
    }
    root.addHandler(INSTANCE);
    return INSTANCE;
  }

  /** Every captured line so far. */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void publish(LogRecord record) {
    StringBuilder line = new StringBuilder();
    line.append(record.getLevel()).append(' ').append(record.getLoggerName()).append(' ');
    String message = record.getMessage();
    Object[] params = record.getParameters();
    if (message != null && params != null && params.length > 0) {
      try {
        message = String.format(message, params);
      } catch (RuntimeException e) {
        message = message + " " + java.util.Arrays.toString(params);
      }
      line.append(java.text.MessageFormat.format(record.getMessage().replace("'", "''"), params));
      line.append(' ');
    }
    line.append(message);
    for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
      line.append(" | ").append(t);
      for (StackTraceElement e : t.getStackTrace()) {
        line.append(' ').append(e);
      }
    }
    lines.add(line.toString());
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
