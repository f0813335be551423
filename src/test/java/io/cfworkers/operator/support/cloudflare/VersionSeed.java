package io.cfworkers.operator.support.cloudflare;

import java.time.Instant;

/**
 * How a test wants a Worker version to look. Every field may be null: {@code id} null means a
 * random UUID, {@code number} null the script's next number, {@code createdOn} null now; the other
 * fields are then absent from the version.
 */
public record VersionSeed(
    String id,
    Integer number,
    Instant createdOn,
    String authorEmail,
    String tag,
    String message,
    String source) {

  /** A seed with every field left to the fake. */
  public static VersionSeed defaults() {
    return new VersionSeed(null, null, null, null, null, null, null);
  }

  public VersionSeed withId(String id) {
    return new VersionSeed(id, number, createdOn, authorEmail, tag, message, source);
  }

  public VersionSeed withNumber(Integer number) {
    return new VersionSeed(id, number, createdOn, authorEmail, tag, message, source);
  }

  public VersionSeed withCreatedOn(Instant createdOn) {
    return new VersionSeed(id, number, createdOn, authorEmail, tag, message, source);
  }

  public VersionSeed withAuthorEmail(String authorEmail) {
    return new VersionSeed(id, number, createdOn, authorEmail, tag, message, source);
  }

  public VersionSeed withTag(String tag) {
    return new VersionSeed(id, number, createdOn, authorEmail, tag, message, source);
  }

  public VersionSeed withMessage(String message) {
    return new VersionSeed(id, number, createdOn, authorEmail, tag, message, source);
  }

  public VersionSeed withSource(String source) {
    return new VersionSeed(id, number, createdOn, authorEmail, tag, message, source);
  }
}
