package io.cfworkers.operator.tags;

import io.cfworkers.operator.api.v1alpha1.ResolvedVersionTag;
import io.cfworkers.operator.api.v1alpha1.TagResolution;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.cloudflare.WorkerVersion;
import io.cfworkers.operator.reconcile.Reasons;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The split the operator deploys, by version id: {@code spec.versions} with every {@code
 * versionTag} replaced by the id it names.
 *
 * <p>Cost: tags are resolved with one call listing the script's deployable versions, and only when
 * it is due: the generation changed, the tags changed, or the last check is at least one poll
 * interval old (so each poll checks once, and a newer upload carrying the tag is deployed then,
 * without a change to the resource). Between those, the ids recorded in {@code
 * status.tagResolution} are reused. The record is rewritten only when an id or the generation
 * changes, so a check that finds nothing new writes no status; the time of the last check is kept
 * in memory, and after a restart the record's own time stands in for it.
 *
 * <p>Thread-safe; one instance serves every resource of a reconciler.
 */
public final class DesiredVersions {

  /** Lists the script's deployable versions, newest first: the one call a resolution costs. */
  @FunctionalInterface
  public interface VersionLister {
    List<WorkerVersion> deployableVersions();
  }

  /** The outcome of a resolution. */
  public sealed interface Result {}

  /**
   * The split by id, in the spec's order, and the record to keep in {@code status.tagResolution}
   * (null when the spec names no tag).
   *
   * @param listed whether the versions were listed for it (false: no tag, or the record reused)
   */
  public record Resolved(List<VersionTraffic> versions, TagResolution record, boolean listed)
      implements Result {}

  /**
   * A tag names no deployable version, or several, or the same version as the other entry: the
   * resource is stalled until the spec or the script's versions change. The record is cleared.
   */
  public record Stalled(String reason, String message) implements Result {}

  private final Duration pollInterval;

  /** When each resource's tags were last checked against Cloudflare, by caller's key. */
  private final Map<String, Instant> lastChecked = new ConcurrentHashMap<>();

  public DesiredVersions(Duration pollInterval) {
    this.pollInterval = pollInterval;
  }

  /**
   * The desired split for one reconciliation.
   *
   * @param key identifies the resource (e.g. namespace/name)
   * @param declared {@code spec.versions}, already checked by the spec rules
   * @param previous {@code status.tagResolution} as last written, or null
   * @param generation {@code metadata.generation}
   * @param lister called at most once, only when the tags are due for a check
   * @throws RuntimeException whatever {@code lister} throws (rate limited, transient, rejected)
   */
  public Result resolve(
      String key,
      List<VersionTraffic> declared,
      TagResolution previous,
      long generation,
      Instant now,
      VersionLister lister) {
    List<String> tags = tags(declared);
    if (tags.isEmpty()) {
      lastChecked.remove(key);
      return new Resolved(declared, null, false);
    }
    if (!due(previous, lastChecked.get(key), tags, generation, now, pollInterval)) {
      return new Resolved(apply(declared, byTag(previous)), previous, false);
    }
    List<WorkerVersion> versions = lister.deployableVersions();
    remember(key, now);
    Result result = resolveAll(declared, versions);
    if (result instanceof Resolved resolved) {
      List<ResolvedVersionTag> found = resolved.record().getTags();
      boolean unchanged =
          previous != null
              && Objects.equals(previous.getGeneration(), generation)
              && Objects.equals(previous.getTags(), found);
      TagResolution record =
          unchanged ? previous : new TagResolution(generation, now.toString(), found);
      return new Resolved(resolved.versions(), record, true);
    }
    lastChecked.remove(key);
    return result;
  }

  /**
   * True when the tags must be checked against Cloudflare: no usable record for this generation and
   * these tags, or the last check (in memory, else the record's time) is a poll interval old.
   */
  static boolean due(
      TagResolution previous,
      Instant lastCheckedInMemory,
      List<String> tags,
      long generation,
      Instant now,
      Duration pollInterval) {
    if (previous == null
        || !Objects.equals(previous.getGeneration(), generation)
        || previous.getTags() == null
        || !new HashSet<>(tags).equals(byTag(previous).keySet())) {
      return true;
    }
    Instant last = lastCheckedInMemory;
    try {
      Instant recorded = Instant.parse(previous.getResolvedAt());
      if (last == null || recorded.isAfter(last)) {
        last = recorded;
      }
    } catch (DateTimeParseException | NullPointerException e) {
      // An unreadable time is no evidence of a recent check.
    }
    return last == null || Duration.between(last, now).compareTo(pollInterval) >= 0;
  }

  /**
   * Resolves every tag of {@code declared} among {@code versions} (newest first). Pure: the record
   * of a {@link Resolved} carries no generation or time.
   */
  public static Result resolveAll(List<VersionTraffic> declared, List<WorkerVersion> versions) {
    Map<String, String> ids = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    String reason = null;
    for (int i = 0; i < declared.size(); i++) {
      VersionTraffic v = declared.get(i);
      if (v.getVersionTag() == null) {
        continue;
      }
      String at = "spec.versions[" + i + "].versionTag: ";
      VersionTagResolver.Outcome outcome = VersionTagResolver.resolve(v.getVersionTag(), versions);
      if (outcome instanceof VersionTagResolver.Found found) {
        ids.put(found.tag(), found.versionId());
      } else if (outcome instanceof VersionTagResolver.Ambiguous ambiguous) {
        reason = reason == null ? Reasons.AMBIGUOUS_VERSION_TAG : reason;
        problems.add(
            at
                + ambiguous.versionIds().size()
                + " deployable versions are tagged "
                + ambiguous.tag()
                + " (newest first: "
                + String.join(", ", ambiguous.versionIds())
                + "); deploy by versionId");
      } else {
        reason = reason == null ? Reasons.VERSION_NOT_FOUND : reason;
        problems.add(
            at
                + "no deployable version tagged "
                + outcome.tag()
                + " (the last "
                + VersionTagResolver.DEPLOYABLE_WINDOW
                + " uploaded); upload one with `wrangler versions upload --tag "
                + outcome.tag()
                + "` or name the version by versionId");
      }
    }
    if (reason != null) {
      return new Stalled(reason, String.join("; ", problems));
    }
    List<VersionTraffic> split = apply(declared, ids);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < split.size(); i++) {
      if (!seen.add(split.get(i).getVersionId())) {
        return new Stalled(
            Reasons.INVALID_SPEC,
            "spec.versions: both entries name version "
                + split.get(i).getVersionId()
                + " (a tag resolves to it); a split needs two different versions");
      }
    }
    List<ResolvedVersionTag> found = new ArrayList<>();
    ids.forEach((tag, id) -> found.add(new ResolvedVersionTag(tag, id)));
    return new Resolved(split, new TagResolution(null, null, found), true);
  }

  private void remember(String key, Instant now) {
    lastChecked.put(key, now);
    // A check older than a poll interval is as good as none: dropping it bounds the map.
    lastChecked.values().removeIf(t -> Duration.between(t, now).compareTo(pollInterval) >= 0);
  }

  private static List<String> tags(List<VersionTraffic> declared) {
    return declared.stream()
        .filter(Objects::nonNull)
        .map(VersionTraffic::getVersionTag)
        .filter(Objects::nonNull)
        .toList();
  }

  private static Map<String, String> byTag(TagResolution record) {
    Map<String, String> out = new HashMap<>();
    for (ResolvedVersionTag t : record.getTags()) {
      out.put(t.getVersionTag(), t.getVersionId());
    }
    return out;
  }

  /** {@code declared} with each tag replaced by its id; entries by id stay as they are. */
  private static List<VersionTraffic> apply(
      List<VersionTraffic> declared, Map<String, String> ids) {
    List<VersionTraffic> out = new ArrayList<>();
    for (VersionTraffic v : declared) {
      String id = v.getVersionTag() == null ? v.getVersionId() : ids.get(v.getVersionTag());
      out.add(new VersionTraffic(id, v.getPercentage()));
    }
    return List.copyOf(out);
  }
}
