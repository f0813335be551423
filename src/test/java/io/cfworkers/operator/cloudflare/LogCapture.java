package io.cfworkers.operator.cloudflare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/** Collects every log record of a logger category, at every level, while open. */
final class LogCapture extends Handler implements AutoCloseable {
  private final Logger logger;
  private final Level previousLevel;
  private final List<LogRecord> records = new ArrayList<>();

  LogCapture(String category) {
    logger = Logger.getLogger(category);
    previousLevel = logger.getLevel();
    setLevel(Level.ALL);
    logger.setLevel(Level.ALL);
    logger.addHandler(this);
  }

  /** Each record as text: the formatted message, its parameters and its exception chain. */
  synchronized List<String> texts() {
    List<String> texts = new ArrayList<>();
    for (LogRecord record : records) {
      StringBuilder text = new StringBuilder();
      text.append(
          record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
      if (record.getParameters() != null) {
        text.append(' ').append(Arrays.toString(record.getParameters()));
      }
      for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
        text.append(' ').append(t);
      }
      texts.add(text.toString());
    }
    return texts;
  }

  @Override
  public synchronized void publish(LogRecord record) {
    records.add(record);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
    logger.setLevel(previousLevel);
  }
}
