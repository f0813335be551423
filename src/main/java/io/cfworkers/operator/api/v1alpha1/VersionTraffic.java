package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One version of the script and the share of its traffic, in percent. */
public class VersionTraffic {
  @JsonPropertyDescription("UUID of a version of the Worker script (see `wrangler versions list`).")
  private String versionId;

  @JsonPropertyDescription(
      "Share of the script's traffic this version serves, in percent: a number in [0.01, 100].")
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
