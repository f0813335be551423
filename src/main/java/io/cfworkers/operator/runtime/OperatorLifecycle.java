package io.cfworkers.operator.runtime;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Starts the operator once the Kubernetes API answers, and stops it on shutdown. Without a
 * reachable cluster the process says so in one line and exits with status 1, instead of failing
 * deep inside an informer with a stack trace.
 */
@ApplicationScoped
public class OperatorLifecycle {
  /** Exit status when no Kubernetes API answers at start. */
  public static final int NO_CLUSTER_EXIT_STATUS = 1;

  private static final Logger LOG = Logger.getLogger(OperatorLifecycle.class);

  private final KubernetesClient client;
  private final Operator operator;
  private final LeaderState leaderState;
  private volatile boolean started;

  public OperatorLifecycle(KubernetesClient client, Operator operator, LeaderState leaderState) {
    this.client = client;
    this.operator = operator;
    this.leaderState = leaderState;
  }

  void onStart(@Observes StartupEvent event) {
    VersionInfo version;
    try {
      version = client.getKubernetesVersion();
    } catch (KubernetesClientException e) {
      LOG.errorf(
          "Cannot reach the Kubernetes API at %s: %s. Point KUBECONFIG at a cluster (or run the"
              + " operator inside one) and start again; the README's \"Run against a cluster\""
              + " section shows how.",
          client.getMasterUrl(), rootCause(e));
      Quarkus.asyncExit(NO_CLUSTER_EXIT_STATUS);
      return;
    }
    LOG.infof(
        "Connected to Kubernetes %s at %s",
        version == null || version.getGitVersion() == null
            ? "(version not reported)"
            : version.getGitVersion(),
        client.getMasterUrl());
    operator.start();
    started = true;
    leaderState.operatorStarted();
  }

  void onStop(@Observes ShutdownEvent event) {
    if (started) {
      operator.stop();
    }
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
  }
}
