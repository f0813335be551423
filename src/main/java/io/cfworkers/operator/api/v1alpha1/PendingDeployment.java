package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Objects;

/**
 * The operator's intent record, written before it asks Cloudflare to create a deployment and
 * cleared once an observation shows the split it asked for. While the call may still land, nobody
 * sends another create call. Once the call's outcome is known but Cloudflare does not serve what it
 * asked for, the record stays and blocks a second create call for the same generation and Secret
 * until the spec or the Secret changes, or someone else deploys.
 */
public class PendingDeployment {
  @JsonPropertyDescription("metadata.generation whose split is being deployed.")
  private Long generation;

  @JsonPropertyDescription("When the create call was about to be sent (RFC 3339).")
  private String startedAt;

  @JsonPropertyDescription("The split being deployed.")
  private List<VersionTraffic> versions;

  @JsonPropertyDescription(
      "The rollout step (1-based) this deployment is for; absent outside a progressive rollout.")
  private Integer step;

  @JsonPropertyDescription(
      "Id of the deployment Cloudflare answered the create call with; absent while the answer is"
          + " outstanding or was lost.")
  private String deploymentId;

  @JsonPropertyDescription(
      "Id of the deployment that served traffic when the create call was decided; absent when"
          + " there was none.")
  private String replacesDeploymentId;

  @JsonPropertyDescription(
      "resourceVersion of the credentials Secret the create call was made with.")
  private String secretVersion;

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

  public Integer getStep() {
    return step;
  }

  public void setStep(Integer step) {
    this.step = step;
  }

  public String getDeploymentId() {
    return deploymentId;
  }

  public void setDeploymentId(String deploymentId) {
    this.deploymentId = deploymentId;
  }

  public String getReplacesDeploymentId() {
    return replacesDeploymentId;
  }

  public void setReplacesDeploymentId(String replacesDeploymentId) {
    this.replacesDeploymentId = replacesDeploymentId;
  }

  public String getSecretVersion() {
    return secretVersion;
  }

  public void setSecretVersion(String secretVersion) {
    this.secretVersion = secretVersion;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PendingDeployment other
        && Objects.equals(generation, other.generation)
        && Objects.equals(startedAt, other.startedAt)
        && Objects.equals(versions, other.versions)
        && Objects.equals(step, other.step)
        && Objects.equals(deploymentId, other.deploymentId)
        && Objects.equals(replacesDeploymentId, other.replacesDeploymentId)
        && Objects.equals(secretVersion, other.secretVersion);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        generation, startedAt, versions, step, deploymentId, replacesDeploymentId, secretVersion);
  }
}
