package io.cfworkers.operator.tags;

import io.cfworkers.operator.cloudflare.WorkerVersion;
import java.util.List;
import java.util.Objects;

/**
 * Finds the version a tag names, as {@code wrangler versions deploy --version-tag} does: among the
 * script's deployable versions (the last {@value #DEPLOYABLE_WINDOW} uploaded), the ones whose tag
 * equals it exactly. Tags are not unique (a re-upload of one commit, a secret change), so more than
 * one match is an answer of its own, never a guess. Pure.
 */
public final class VersionTagResolver {
  /** Cloudflare deploys only a script's this-many most recent versions. */
  public static final int DEPLOYABLE_WINDOW = 100;

  private VersionTagResolver() {}

  /** What one tag resolved to. */
  public sealed interface Outcome {
    String tag();
  }

  /** Exactly one deployable version carries the tag. */
  public record Found(String tag, String versionId) implements Outcome {}

  /** No deployable version carries the tag. */
  public record NotFound(String tag) implements Outcome {}

  /** Several deployable versions carry the tag; their ids newest first. */
  public record Ambiguous(String tag, List<String> versionIds) implements Outcome {}

  /**
   * Resolves {@code tag} among {@code versions}, the script's versions newest first, as Cloudflare
   * lists them; only the first {@value #DEPLOYABLE_WINDOW} count.
   */
  public static Outcome resolve(String tag, List<WorkerVersion> versions) {
    List<String> ids =
        versions.stream()
            .limit(DEPLOYABLE_WINDOW)
            .filter(Objects::nonNull)
            .filter(v -> tag.equals(v.tag()))
            .map(WorkerVersion::id)
            .toList();
    return switch (ids.size()) {
      case 0 -> new NotFound(tag);
      case 1 -> new Found(tag, ids.get(0));
      default -> new Ambiguous(tag, ids);
    };
  }
}
