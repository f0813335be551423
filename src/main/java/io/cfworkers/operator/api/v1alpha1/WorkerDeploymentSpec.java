package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** The desired state: which versions of which script serve traffic, and how it is authorised. */
public class WorkerDeploymentSpec {
  @JsonPropertyDescription("Cloudflare account id (at most 32 characters). Immutable.")
  private String accountId;

  @JsonPropertyDescription("Name of the Worker script in that account. Immutable.")
  private String scriptName;

  @JsonPropertyDescription(
      "Credentials for the Cloudflare API, read from Secrets in this namespace: exactly one of"
          + " apiTokenSecretRef, or email together with apiKeySecretRef.")
  private CloudflareAuth auth;

  @JsonPropertyDescription("How traffic is split between versions. Only `percentage` exists.")
  private String strategy;

  @JsonPropertyDescription(
      "The versions that serve the script's traffic: one at 100, or two whose percentages add up"
          + " to 100. Order does not matter.")
  private List<VersionTraffic> versions = new ArrayList<>();

  @JsonPropertyDescription(
      "Message recorded with the deployment (annotation workers/message). At most 100 bytes.")
  private String message;

  @JsonPropertyDescription(
      "Deploy even if a secret changed since a version last ran (sends ?force=true)."
          + " Needed to roll back across a secret change.")
  private Boolean force;

  @JsonPropertyDescription(
      "When true the operator only observes and reports: it never creates a deployment.")
  private Boolean suspend;

  public String getAccountId() {
    return accountId;
  }

  public void setAccountId(String accountId) {
    this.accountId = accountId;
  }

  public String getScriptName() {
    return scriptName;
  }

  public void setScriptName(String scriptName) {
    this.scriptName = scriptName;
  }

  public CloudflareAuth getAuth() {
    return auth;
  }

  public void setAuth(CloudflareAuth auth) {
    this.auth = auth;
  }

  public String getStrategy() {
    return strategy;
  }

  public void setStrategy(String strategy) {
    this.strategy = strategy;
  }

  public List<VersionTraffic> getVersions() {
    return versions;
  }

  public void setVersions(List<VersionTraffic> versions) {
    this.versions = versions;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public Boolean getForce() {
    return force;
  }

  public void setForce(Boolean force) {
    this.force = force;
  }

  public Boolean getSuspend() {
    return suspend;
  }

  public void setSuspend(Boolean suspend) {
    this.suspend = suspend;
  }

  /** {@code force}, read as false when absent. */
  public boolean force() {
    return Boolean.TRUE.equals(force);
  }

  /** {@code suspend}, read as false when absent. */
  public boolean suspended() {
    return Boolean.TRUE.equals(suspend);
  }
}
