package io.cfworkers.operator.cloudflare;

import java.util.Objects;

/** One entry of a deployment's split: a version and the share of traffic it serves, in percent. */
public record DeploymentVersion(String versionId, double percentage) {
  public DeploymentVersion {
    Objects.requireNonNull(versionId, "versionId");
  }
}
