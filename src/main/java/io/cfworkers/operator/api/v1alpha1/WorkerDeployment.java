package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.cfworkers.operator.api.crd.DeepMergePatch;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Declares which versions of a Cloudflare Worker script serve its traffic, and at what percentages.
 * The operator makes Cloudflare serve that split and reports what it serves in status.
 */
@Group(WorkerDeployment.GROUP)
@Version(WorkerDeployment.VERSION)
@ShortNames("wd")
@Categories("cfworkers")
@SchemaCustomizer(
    value = DeepMergePatch.class,
    input =
        """
        {"description": "WorkerDeployment declares which versions of a Cloudflare Worker script \
        serve its traffic, and at what percentages. The Workers Deployment Operator makes \
        Cloudflare serve that split (it creates a deployment only when the live one differs, and \
        adopts one that already matches), restores it when someone changes it elsewhere (drift), \
        and reports what Cloudflare serves in status. Deleting it leaves Cloudflare as it is."}
        """)
@AdditionalPrinterColumn(
    name = "SCRIPT",
    jsonPath = ".spec.scriptName",
    type = Type.STRING,
    getDescription = "The Worker script.")
@AdditionalPrinterColumn(
    name = "DECLARED",
    jsonPath = ".spec.versions[*].percentage",
    type = Type.STRING,
    getDescription = "The declared split: the percentages of spec.versions, in order.")
@AdditionalPrinterColumn(
    name = "VERSIONS",
    jsonPath = ".status.versionSummary",
    type = Type.STRING,
    getDescription = "The split Cloudflare serves now (version id prefix @ percentage).")
@AdditionalPrinterColumn(
    name = "READY",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = Type.STRING,
    getDescription = "Whether Cloudflare serves the spec's split.")
@AdditionalPrinterColumn(
    name = "REASON",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = Type.STRING,
    getDescription = "Why Ready is what it is, e.g. Deployed, Adopted, Suspended, Deploying.")
@AdditionalPrinterColumn(
    name = "STEP",
    jsonPath = ".status.rollout.step",
    type = Type.INTEGER,
    getDescription = "The rollout's current step (1-based); empty without a rollout.")
@AdditionalPrinterColumn(
    name = "PHASE",
    jsonPath = ".status.rollout.phase",
    type = Type.STRING,
    getDescription = "The rollout's phase: Progressing, Paused, Completed or Aborted.")
@AdditionalPrinterColumn(
    name = "ANALYSIS",
    jsonPath = ".status.rollout.analysis.lastMeasurement.result",
    type = Type.STRING,
    priority = 1,
    getDescription =
        "The result of the rollout step's last analysis: Successful, Failed, Inconclusive or"
            + " Error; empty without spec.rollout.analysis (kubectl get -o wide).")
@AdditionalPrinterColumn(
    name = "DEPLOYMENT",
    jsonPath = ".status.deploymentId",
    type = Type.STRING,
    priority = 1,
    getDescription = "The Cloudflare deployment serving traffic now (kubectl get -o wide).")
@AdditionalPrinterColumn(
    name = "AGE",
    jsonPath = ".metadata.creationTimestamp",
    type = Type.DATE,
    getDescription = "Time since the resource was created.")
public class WorkerDeployment extends CustomResource<WorkerDeploymentSpec, WorkerDeploymentStatus>
    implements Namespaced {
  public static final String GROUP = "cfworkers.io";
  public static final String VERSION = "v1alpha1";

  // Overridden only to describe spec and status in the CRD (kubectl explain workerdeployment), and
  // to require spec.
  @Override
  @Required
  @JsonPropertyDescription(
      "Which versions of which Worker script serve its traffic, at what percentages, and the"
          + " credentials to use.")
  public WorkerDeploymentSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription(
      "What Cloudflare serves now, and how far the operator got with the spec. Written by the"
          + " operator only.")
  public WorkerDeploymentStatus getStatus() {
    return super.getStatus();
  }
}
