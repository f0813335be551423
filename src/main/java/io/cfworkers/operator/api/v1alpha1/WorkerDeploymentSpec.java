package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/**
 * The desired state: which versions of which script serve traffic, and how it is authorised. The
 * CRD schema and its CEL rules enforce every constraint documented here, so the operator only sees
 * specs that satisfy them (it checks them again anyway).
 */
@ValidationRule(
    value =
        "!has(self.rollout) || (size(self.versions) == 1 && self.versions[0].percentage == 100.0)",
    message =
        "spec.rollout requires spec.versions to hold exactly one version at percentage 100: the"
            + " version to roll out")
public class WorkerDeploymentSpec {
  /** The only traffic-splitting strategy Cloudflare offers. */
  public static final String STRATEGY_PERCENTAGE = "percentage";

  /** How far the sum of the percentages may be from 100 (wrangler's tolerance). */
  public static final double PERCENTAGE_SUM_TOLERANCE = 0.001;

  /** Longest message Cloudflare keeps, in bytes of UTF-8. */
  public static final int MESSAGE_MAX_BYTES = 100;

  @JsonPropertyDescription(
      "Cloudflare account id: exactly 32 lowercase hexadecimal characters, as in the dashboard"
          + " URL. Immutable.")
  @Required
  @Size(max = 32)
  @ValidationRule(
      value = "self.matches('^[0-9a-f]{32}$')",
      message =
          "must be a Cloudflare account id: 32 lowercase hexadecimal characters, as in the"
              + " dashboard URL")
  @ValidationRule(
      value = "self == oldSelf",
      message =
          "is immutable: another account is another WorkerDeployment; create a new one (deleting"
              + " this one leaves Cloudflare as it is)")
  private String accountId;

  @JsonPropertyDescription(
      "Name of the Worker script in that account: lowercase letters, digits, '-' and '_', at most"
          + " 63 characters. Immutable.")
  @Required
  @Size(min = 1, max = 63)
  @ValidationRule(
      value = "self.matches('^[a-z0-9_-]+$')",
      message = "must be a Worker script name: lowercase letters, digits, '-' and '_'")
  @ValidationRule(
      value = "self == oldSelf",
      message =
          "is immutable: another script is another WorkerDeployment; create a new one (deleting"
              + " this one leaves Cloudflare as it is)")
  private String scriptName;

  @JsonPropertyDescription(
      "Credentials for the Cloudflare API, read from Secrets in this namespace: exactly one of"
          + " apiTokenSecretRef, or email together with apiKeySecretRef.")
  @Required
  private CloudflareAuth auth;

  @JsonPropertyDescription(
      "How traffic is split between versions. Only `percentage` exists, and it is the default.")
  @SchemaFrom(type = Strategy.class)
  @Default(STRATEGY_PERCENTAGE)
  private String strategy;

  @JsonPropertyDescription(
      "The versions that serve the script's traffic: one at 100, or two whose percentages add up"
          + " to 100 (within 0.001). Each entry names its version by exactly one of versionId or"
          + " versionTag; each id and each tag at most once; order does not matter.")
  @Required
  @Size(min = 1, max = 2)
  @ValidationRule(
      value = "self.all(v, has(v.versionId) != has(v.versionTag))",
      message = "each entry needs exactly one of versionId or versionTag")
  @ValidationRule(
      value =
          "self.all(a, !has(a.versionId)"
              + " || self.exists_one(b, has(b.versionId) && b.versionId == a.versionId))",
      message = "each versionId may appear only once")
  @ValidationRule(
      value =
          "self.all(a, !has(a.versionTag)"
              + " || self.exists_one(b, has(b.versionTag) && b.versionTag == a.versionTag))",
      message = "each versionTag may appear only once")
  @ValidationRule(
      value =
          "self.size() == 1 ? self[0].percentage >= 99.999 && self[0].percentage <= 100.001"
              + " : self.size() == 2"
              + " ? self[0].percentage + self[1].percentage >= 99.999"
              + " && self[0].percentage + self[1].percentage <= 100.001"
              + " : true",
      message = "percentages must add up to 100 (±0.001)",
      // The sum, rounded to thousandths so that 89.998 + 10 reads 99.998, not 99.99799999999999.
      messageExpression =
          "'percentages must add up to 100 (±0.001), they add up to ' + string(double(int((self"
              + ".size() == 1 ? self[0].percentage : self[0].percentage + self[1].percentage)"
              + " * 1000.0 + 0.5)) / 1000.0)")
  private List<VersionTraffic> versions = new ArrayList<>();

  @JsonPropertyDescription(
      "Message sent with each deployment the operator creates (Cloudflare's annotation"
          + " workers/message, shown by `wrangler deployments list` and in the dashboard)."
          + " Changing only the message creates no deployment: the new message goes with the"
          + " next one. status.message shows the live deployment's. At most 100 bytes of UTF-8:"
          + " fewer characters when it uses non-ASCII characters.")
  @Size(max = MESSAGE_MAX_BYTES)
  @ValidationRule(
      value = "size(bytes(self)) <= 100",
      message = "may be at most 100 bytes of UTF-8; shorten it",
      messageExpression =
          "'may be at most 100 bytes of UTF-8, it has ' + string(size(bytes(self))) + ';"
              + " shorten it'")
  private String message;

  @JsonPropertyDescription(
      "When true, every deployment the operator creates is sent with ?force=true, so Cloudflare"
          + " deploys a version even if the script's secrets changed since it last ran (without"
          + " it Cloudflare refuses with error 10220 and the resource stalls with reason"
          + " SecretChangedForceRequired). Needed to roll back across a secret change. It stays"
          + " in effect for every later deployment while true: set it back to false afterwards."
          + " Changing it alone creates no deployment. Default false.")
  @Default("false")
  private Boolean force;

  @JsonPropertyDescription(
      "When true the operator only observes and reports: it never creates a deployment."
          + " Default false.")
  @Default("false")
  private Boolean suspend;

  @JsonPropertyDescription(
      "Roll the version in spec.versions out progressively: steps of increasing weight, each"
          + " holding for a pause, then 100%. Requires spec.versions to hold exactly one version at"
          + " 100. Absent: the declared split is applied at once.")
  private RolloutSpec rollout;

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

  public RolloutSpec getRollout() {
    return rollout;
  }

  public void setRollout(RolloutSpec rollout) {
    this.rollout = rollout;
  }

  /** {@code force}, read as false when absent. */
  public boolean force() {
    return Boolean.TRUE.equals(force);
  }

  /** {@code suspend}, read as false when absent. */
  public boolean suspended() {
    return Boolean.TRUE.equals(suspend);
  }

  /** The values {@code strategy} may take; used only to generate the schema's enum. */
  enum Strategy {
    percentage
  }
}
