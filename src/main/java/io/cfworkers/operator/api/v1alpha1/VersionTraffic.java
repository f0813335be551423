package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/**
 * One version of the script and the share of its traffic, in percent. In the spec a version is
 * named by exactly one of {@code versionId} or {@code versionTag}; in the status always by id.
 */
public class VersionTraffic {
  /**
   * A UUID in canonical lowercase 8-4-4-4-12 form, as Cloudflare writes version ids. Uppercase is
   * refused rather than normalised: the operator compares ids with Cloudflare's as strings.
   */
  public static final String UUID_PATTERN =
      "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

  /** Longest tag Cloudflare keeps (annotation {@code workers/tag}), in bytes of UTF-8. */
  public static final int TAG_MAX_BYTES = 100;

  @JsonPropertyDescription(
      "UUID of a version of the Worker script (see `wrangler versions list`), in"
          + " lowercase, e.g. 182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e. Exactly one of versionId or"
          + " versionTag.")
  @Size(max = 36)
  @ValidationRule(
      value = "self.matches('" + UUID_PATTERN + "')",
      message =
          "must be a lowercase UUID, e.g. 182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e (the version ids"
              + " `wrangler versions list` shows)")
  private String versionId;

  @JsonPropertyDescription(
      "Tag of a version, as uploaded with `wrangler versions upload --tag <tag>` (annotation"
          + " workers/tag), e.g. a git sha or a release name; at most 100 bytes. Exactly one of"
          + " versionId or versionTag. The operator resolves it like `wrangler versions deploy"
          + " --version-tag`: exactly one of the script's deployable versions (the last 100"
          + " uploaded) must carry it. Resolved again at every poll, so a newer upload with the"
          + " same tag is deployed without a change to this resource.")
  @Size(min = 1, max = TAG_MAX_BYTES)
  @ValidationRule(value = "size(bytes(self)) <= 100", message = "may be at most 100 bytes of UTF-8")
  private String versionTag;

  @JsonPropertyDescription(
      "Share of the script's traffic this version serves, in percent: a number in [0.01, 100],"
          + " e.g. 10 or 12.5.")
  @Required
  @Min(0.01)
  @Max(100)
  private Double percentage;

  public VersionTraffic() {}

  public VersionTraffic(String versionId, Double percentage) {
    this.versionId = versionId;
    this.percentage = percentage;
  }

  /** A version named by its tag. */
  public static VersionTraffic tagged(String versionTag, Double percentage) {
    VersionTraffic v = new VersionTraffic(null, percentage);
    v.setVersionTag(versionTag);
    return v;
  }

  public String getVersionId() {
    return versionId;
  }

  public void setVersionId(String versionId) {
    this.versionId = versionId;
  }

  public String getVersionTag() {
    return versionTag;
  }

  public void setVersionTag(String versionTag) {
    this.versionTag = versionTag;
  }

  public Double getPercentage() {
    return percentage;
  }

  public void setPercentage(Double percentage) {
    this.percentage = percentage;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VersionTraffic other
        && Objects.equals(versionId, other.versionId)
        && Objects.equals(versionTag, other.versionTag)
        && Objects.equals(percentage, other.percentage);
  }

  @Override
  public int hashCode() {
    return Objects.hash(versionId, versionTag, percentage);
  }

  @Override
  public String toString() {
    return (versionId == null && versionTag != null ? "tag " + versionTag : versionId)
        + "@"
        + percentage;
  }
}
