package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cfworkers.operator.api.crd.DeepMergePatch;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * What Cloudflare serves now, and how far the operator got with the spec. Written only by the
 * operator, through the status subresource.
 *
 * <p>{@code conditions} follow metav1.Condition: a list keyed by {@code type} (at most one entry
 * per type), each with {@code type}, {@code status}, {@code reason} and {@code lastTransitionTime}
 * set. The schema customizer below states that, and describes the fields fabric8's {@link
 * Condition} carries no descriptions for.
 */
@SchemaCustomizer(
    value = DeepMergePatch.class,
    input =
        """
        {"properties": {"conditions": {
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["type"],
          "items": {
            "description": "One aspect of the resource's state, in metav1.Condition shape.",
            "x-kubernetes-preserve-unknown-fields": null,
            "required": ["type", "status", "reason", "lastTransitionTime"],
            "properties": {
              "type": {"description": "Ready, Reconciling or Stalled.", "maxLength": 316},
              "status": {"description": "True, False or Unknown.",
                         "enum": ["True", "False", "Unknown"]},
              "reason": {"description": "CamelCase reason for the status, stable for automation (e.g. Deployed, RateLimited, CredentialsNotFound).", "maxLength": 1024},
              "message": {"description": "Human-readable details; quotes Cloudflare's error code and message when it refused a request.", "maxLength": 32768},
              "lastTransitionTime": {"description": "When status last changed (RFC 3339); unchanged while status stays the same.", "format": "date-time"},
              "observedGeneration": {"description": "metadata.generation the condition was computed for.", "minimum": 0}
            }
          }
        }}}
        """)
public class WorkerDeploymentStatus {
  private static final ObjectMapper JSON = new ObjectMapper();

  @JsonPropertyDescription("metadata.generation of the spec this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Id of the Cloudflare deployment serving the script's traffic now.")
  private String deploymentId;

  @JsonPropertyDescription("E-mail of whoever created the deployment serving traffic now.")
  private String authorEmail;

  @JsonPropertyDescription("When the deployment serving traffic now was created (RFC 3339).")
  private String createdOn;

  @JsonPropertyDescription(
      "What created the deployment serving traffic now: api, wrangler, dash, terraform, …")
  private String source;

  @JsonPropertyDescription("The split Cloudflare serves now.")
  private List<VersionTraffic> versions;

  @JsonPropertyDescription(
      "The split Cloudflare serves now, in short: first 8 characters of each version id @"
          + " percentage, e.g. 182bd5e5@90,7a3c0b4e@10.")
  private String versionSummary;

  @JsonPropertyDescription(
      "Message (annotation workers/message) of the deployment serving traffic.")
  private String message;

  @JsonPropertyDescription(
      "Who triggered the deployment serving traffic (server-set annotation workers/triggered_by).")
  private String triggeredBy;

  @JsonPropertyDescription(
      "Present when spec.versions names versions by tag: what each tag resolved to, for which"
          + " generation and since when.")
  private TagResolution tagResolution;

  @JsonPropertyDescription(
      "Present from just before the operator asks Cloudflare for a deployment until an observation"
          + " shows its split live: the intent record. While it is present no second create call is"
          + " sent for the same generation and Secret (see docs/reliability.md).")
  private PendingDeployment pendingDeployment;

  @JsonPropertyDescription(
      "Ready: Cloudflare serves the spec's split. Reconciling: the operator is working towards it."
          + " Stalled: it cannot progress without a change to the spec or the Secret.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription(
      "Progress of the rollout when spec.rollout is set: phase, stable and new version, step,"
          + " weight live now, timers and the last requests handled.")
  private RolloutStatus rollout;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getDeploymentId() {
    return deploymentId;
  }

  public void setDeploymentId(String deploymentId) {
    this.deploymentId = deploymentId;
  }

  public String getAuthorEmail() {
    return authorEmail;
  }

  public void setAuthorEmail(String authorEmail) {
    this.authorEmail = authorEmail;
  }

  public String getCreatedOn() {
    return createdOn;
  }

  public void setCreatedOn(String createdOn) {
    this.createdOn = createdOn;
  }

  public String getSource() {
    return source;
  }

  public void setSource(String source) {
    this.source = source;
  }

  public List<VersionTraffic> getVersions() {
    return versions;
  }

  public void setVersions(List<VersionTraffic> versions) {
    this.versions = versions;
  }

  public String getVersionSummary() {
    return versionSummary;
  }

  public void setVersionSummary(String versionSummary) {
    this.versionSummary = versionSummary;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getTriggeredBy() {
    return triggeredBy;
  }

  public void setTriggeredBy(String triggeredBy) {
    this.triggeredBy = triggeredBy;
  }

  public TagResolution getTagResolution() {
    return tagResolution;
  }

  public void setTagResolution(TagResolution tagResolution) {
    this.tagResolution = tagResolution;
  }

  public PendingDeployment getPendingDeployment() {
    return pendingDeployment;
  }

  public void setPendingDeployment(PendingDeployment pendingDeployment) {
    this.pendingDeployment = pendingDeployment;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public RolloutStatus getRollout() {
    return rollout;
  }

  public void setRollout(RolloutStatus rollout) {
    this.rollout = rollout;
  }

  /**
   * Equal when both serialize to the same JSON: every property counts, including ones added later,
   * so the reconciler's skip-unchanged-status check can never discard a change to a field this
   * method forgot.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof WorkerDeploymentStatus other && tree(this).equals(tree(other));
  }

  @Override
  public int hashCode() {
    return tree(this).hashCode();
  }

  private static JsonNode tree(WorkerDeploymentStatus s) {
    return JSON.valueToTree(s);
  }
}
