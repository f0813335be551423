package io.cfworkers.operator.api.v1alpha1;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
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
public class WorkerDeployment extends CustomResource<WorkerDeploymentSpec, WorkerDeploymentStatus>
    implements Namespaced {
  public static final String GROUP = "cfworkers.io";
  public static final String VERSION = "v1alpha1";
}
