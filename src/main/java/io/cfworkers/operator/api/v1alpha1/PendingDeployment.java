package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Objects;

/**
 * The operator's intent record, written before it asks Cloudflare to create a deployment and
 * cleared once the outcome is known. While it is fresh, no other reconciliation sends another
 * create call for the same generation; once it has expired, the operator re-observes Cloudflare
 * before deciding anything.
 */
public class PendingDeployment {
  @JsonPropertyDescription("metadata.generation whose split is being deployed.")
  private Long generation;

  @JsonPropertyDescription("When the create call was about to be sent (RFC 3339).")
  private String startedAt;

  @JsonPropertyDescription("The split being deployed.")
  private List<VersionTraffic> versions;

  public PendingDeployment() {}

  public PendingDeployment(Long generation, String startedAt, List<VersionTraffic> versions) {
    this.generation = generation;
    this.startedAt = startedAt;
    this.versions = versions;
  }

  public Long getGeneration() {
    return generation;
  }

  public void setGeneration(Long generation) {
    this.generation = generation;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public List<VersionTraffic> getVersions() {
    return versions;
  }

  public void setVersions(List<VersionTraffic> versions) {
    this.versions = versions;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PendingDeployment other
        && Objects.equals(generation, other.generation)
        && Objects.equals(startedAt, other.startedAt)
        && Objects.equals(versions, other.versions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(generation, startedAt, versions);
  }
}
