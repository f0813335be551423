package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** One version of the script and the share of its traffic, in percent. */
public class VersionTraffic {
  /**
   * A UUID in canonical lowercase 8-4-4-4-12 form, as Cloudflare writes version ids. Uppercase is
   * refused rather than normalised: the operator compares ids with Cloudflare's as strings.
   */
  public static final String UUID_PATTERN =
      "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

  @JsonPropertyDescription(
      "UUID of a version of the Worker script (see `wrangler versions list`), in"
          + " lowercase, e.g. 182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e.")
  @Required
  @Size(max = 36)
  @ValidationRule(
      value = "self.matches('" + UUID_PATTERN + "')",
      message =
          "must be a lowercase UUID, e.g. 182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e (the version ids"
              + " `wrangler versions list` shows)")
  private String versionId;

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

  public String getVersionId() {
    return versionId;
  }

  public void setVersionId(String versionId) {
    this.versionId = versionId;
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
        && Objects.equals(percentage, other.percentage);
  }

  @Override
  public int hashCode() {
    return Objects.hash(versionId, percentage);
  }

  @Override
  public String toString() {
    return versionId + "@" + percentage;
  }
}
