package io.cfworkers.operator.helm;

import static io.cfworkers.operator.helm.RenderedChart.NAMESPACE;
import static io.cfworkers.operator.helm.RenderedChart.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.cfworkers.operator.cloudflare.HttpWorkersDeploymentsApi;
import io.cfworkers.operator.reconcile.ConditionMetrics;
import io.cfworkers.operator.support.jvm.ImageJvmOptions;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The chart as Helm lints and renders it, with the defaults and with each supported value set. */
class HelmChartTest {
  private static final String FULLNAME = "wdo-worker-deployment-operator";

  /**
   * What the operator does on each resource, and nothing more: it reads WorkerDeployments and
   * writes only their status, reads credential Secrets, records Events.
   */
  private static final Map<String, Set<String>> RESOURCE_VERBS =
      Map.of(
          "cfworkers.io/workerdeployments", Set.of("get", "list", "watch"),
          "cfworkers.io/workerdeployments/status", Set.of("get", "update", "patch"),
          "/secrets", Set.of("get", "list", "watch"),
          "/events", Set.of("create", "patch"));

  static Stream<String> valueSets() {
    return Stream.of(
        "defaults",
        "namespaced.yaml",
        "single-replica.yaml",
        "service-monitor.yaml",
        "pdb.yaml",
        "custom-env.yaml",
        "prometheus-rule.yaml");
  }

  private static RenderedChart renderValueSet(String valueSet) {
    return valueSet.equals("defaults") ? render() : render(valueSet);
  }

  @Test
  void lintPassesInStrictMode() {
    LintResult result = new Helm(RenderedChart.CHART).lint().strict().call();

    assertFalse(result.isFailed(), () -> "helm lint --strict: " + result.getMessages());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueSets")
  void rendersEveryValueSetWithNamespacedObjectsInTheReleaseNamespace(String valueSet) {
    RenderedChart chart = renderValueSet(valueSet);

    assertEquals(1, chart.all(Deployment.class).size());
    assertEquals(1, chart.all(ServiceAccount.class).size());
    assertEquals(1, chart.all(Service.class).size());
    for (HasMetadata object : chart.all()) {
      boolean clusterScoped = object instanceof ClusterRole || object instanceof ClusterRoleBinding;
      boolean watchedNamespaceAccess =
          (object instanceof Role || object instanceof RoleBinding)
              && !object.getMetadata().getName().endsWith("-leader-election");
      if (clusterScoped) {
        assertNull(object.getMetadata().getNamespace(), object::toString);
      } else if (!watchedNamespaceAccess) {
        assertEquals(NAMESPACE, object.getMetadata().getNamespace(), object::toString);
      }
      assertEquals("Helm", object.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
    }
  }

  @Test
  void runsTwoReplicasWithLeaderElectionByDefault() {
    RenderedChart chart = render();
    Deployment deployment = chart.single(Deployment.class);

    assertEquals(2, deployment.getSpec().getReplicas());
    Map<String, EnvVar> env = env(operator(deployment));
    assertEquals("true", env.get("CFWORKERS_LEADER_ELECTION_ENABLED").getValue());
    assertEquals(FULLNAME, env.get("CFWORKERS_LEADER_ELECTION_LEASE_NAME").getValue());
    assertEquals(
        "metadata.namespace",
        env.get("POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath(),
        "the Lease lives in the pod's own namespace");

    Role lease = chart.named(Role.class, NAMESPACE, FULLNAME + "-leader-election").orElseThrow();
    assertEquals(
        Map.of(
            "coordination.k8s.io/leases",
            Set.of("create"),
            "coordination.k8s.io/leases[" + FULLNAME + "]",
            // get and patch are what the Lease lock sends; update is what the operator SDK's
            // permission check before electing asks for.
            Set.of("get", "update", "patch")),
        verbsByResource(lease.getRules()));
    RoleBinding leaseBinding =
        chart.named(RoleBinding.class, NAMESPACE, FULLNAME + "-leader-election").orElseThrow();
    assertEquals(lease.getMetadata().getName(), leaseBinding.getRoleRef().getName());
    assertBoundToOperatorServiceAccount(chart, leaseBinding.getSubjects());
  }

  @Test
  void emitsOnlyTheOperatorSettingsThatValuesSet() {
    Map<String, EnvVar> defaults = env(operator(render().single(Deployment.class)));
    assertEquals(
        Set.of(
            "CFWORKERS_LEADER_ELECTION_ENABLED",
            "CFWORKERS_LEADER_ELECTION_LEASE_NAME",
            ImageJvmOptions.VARIABLE),
        withoutPodNamespace(defaults).keySet(),
        "the defaults leave every tunable to the operator's own default, and state the JVM options");

    Map<String, EnvVar> custom = env(operator(render("custom-env.yaml").single(Deployment.class)));
    assertEquals(
        new TreeMap<>(
            Map.ofEntries(
                Map.entry(
                    "CLOUDFLARE_API_BASE_URL", "http://cloudflare-proxy.egress.svc:8080/client/v4"),
                Map.entry("CFWORKERS_CLOUDFLARE_REQUEST_TIMEOUT", "10s"),
                Map.entry("CFWORKERS_CLOUDFLARE_RATE_LIMIT_REQUESTS", "600"),
                Map.entry("CFWORKERS_CLOUDFLARE_RATE_LIMIT_PERIOD", "5m"),
                Map.entry("CFWORKERS_CLOUDFLARE_RATE_LIMIT_SLICES", "50"),
                Map.entry("CFWORKERS_RECONCILE_SETTLE_TIME", "90s"),
                Map.entry("QUARKUS_OPERATOR_SDK_CONCURRENT_RECONCILIATION_THREADS", "8"),
                Map.entry("CFWORKERS_RECONCILE_POLL_INTERVAL", "2m"),
                Map.entry("QUARKUS_LOG_LEVEL", "WARN"),
                Map.entry("QUARKUS_LOG_CATEGORY__IO_CFWORKERS__LEVEL", "DEBUG"),
                Map.entry("CFWORKERS_LEADER_ELECTION_ENABLED", "true"),
                Map.entry("CFWORKERS_LEADER_ELECTION_LEASE_NAME", "cf-operator-lock"),
                Map.entry("JDK_JAVA_OPTIONS", "-XX:+UseSerialGC -XX:MaxRAMPercentage=50"),
                Map.entry("TZ", "UTC"))),
        new TreeMap<>(
            withoutPodNamespace(custom).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getValue()))));
  }

  @Test
  void runsTheJvmWithTheImagesOptionsByDefault() {
    Map<String, EnvVar> defaults = env(operator(render().single(Deployment.class)));

    assertEquals(
        ImageJvmOptions.asString(),
        defaults.get(ImageJvmOptions.VARIABLE).getValue(),
        "jvm.options in values.yaml and JDK_JAVA_OPTIONS of the image (application.properties)");
    assertTrue(
        ImageJvmOptions.asList()
            .containsAll(List.of("-XX:+UseSerialGC", "-XX:MaxRAMPercentage=25")),
        () -> "a collector and a heap sized by the memory limit: " + ImageJvmOptions.asString());
  }

  @Test
  void imageStartsJavaItselfSoNoScriptAddsOptionsOfItsOwn() {
    // run-java.sh of the base image would add -XX:+UseParallelGC, which the JVM refuses next to
    // the serial collector of JDK_JAVA_OPTIONS, and a heap of 80% of the limit.
    assertEquals(
        "java,-Djava.util.logging.manager=org.jboss.logmanager.LogManager,-jar,quarkus-run.jar",
        ImageJvmOptions.entrypoint());
  }

  @Test
  void usesAppVersionAsImageTagUnlessTagIsSet() throws IOException {
    Map<?, ?> chartYaml =
        Serialization.unmarshal(
            Files.readString(RenderedChart.CHART.resolve("Chart.yaml")), Map.class);
    String appVersion = (String) chartYaml.get("appVersion");

    Container byDefault = operator(render().single(Deployment.class));
    assertEquals(
        "ghcr.io/cfworkers/worker-deployment-operator:" + appVersion, byDefault.getImage());
    assertEquals("IfNotPresent", byDefault.getImagePullPolicy());

    Container pinned =
        operator(
            RenderedChart.render(
                    Map.of("image.tag", "0.2.0-rc.1", "imagePullSecrets[0].name", "regcred"))
                .single(Deployment.class));
    assertEquals("ghcr.io/cfworkers/worker-deployment-operator:0.2.0-rc.1", pinned.getImage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueSets")
  void meetsPodSecurityRestrictedProfile(String valueSet) {
    Deployment deployment = renderValueSet(valueSet).single(Deployment.class);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container operator = operator(deployment);
    SecurityContext container = operator.getSecurityContext();

    assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
    assertEquals(Boolean.TRUE, container.getRunAsNonRoot());
    assertEquals(Boolean.FALSE, container.getAllowPrivilegeEscalation());
    assertEquals(Boolean.TRUE, container.getReadOnlyRootFilesystem());
    assertEquals(List.of("ALL"), container.getCapabilities().getDrop());
    assertTrue(
        container.getCapabilities().getAdd() == null
            || container.getCapabilities().getAdd().isEmpty(),
        "no capability added back");
    assertRuntimeDefault(pod.getSecurityContext().getSeccompProfile());
    assertRuntimeDefault(container.getSeccompProfile());
    assertNull(container.getPrivileged());
    assertNull(pod.getHostNetwork());
    assertNull(pod.getHostPID());

    String tmpVolume =
        operator.getVolumeMounts().stream()
            .filter(m -> m.getMountPath().equals("/tmp"))
            .filter(m -> !Boolean.TRUE.equals(m.getReadOnly()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no writable /tmp: " + operator))
            .getName();
    Volume tmp =
        pod.getVolumes().stream().filter(v -> v.getName().equals(tmpVolume)).findFirst().get();
    assertNotNull(tmp.getEmptyDir(), "/tmp is an emptyDir, not a host path");
    assertTrue(
        pod.getVolumes().stream().allMatch(v -> v.getHostPath() == null), "no hostPath volume");
  }

  @Test
  void probesTheQuarkusHealthEndpointsOnTheHttpPort() {
    Container operator = operator(render().single(Deployment.class));

    assertEquals(8080, operator.getPorts().get(0).getContainerPort());
    assertEquals("http", operator.getPorts().get(0).getName());
    assertProbe("/q/health/started", operator.getStartupProbe().getHttpGet());
    assertProbe("/q/health/live", operator.getLivenessProbe().getHttpGet());
    assertProbe("/q/health/ready", operator.getReadinessProbe().getHttpGet());
  }

  @Test
  void grantsClusterWideExactlyTheVerbsTheOperatorUsesByDefault() {
    RenderedChart chart = render();

    ClusterRole role = chart.single(ClusterRole.class);
    assertEquals(RESOURCE_VERBS, verbsByResource(role.getRules()));
    ClusterRoleBinding binding = chart.single(ClusterRoleBinding.class);
    assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
    assertEquals("ClusterRole", binding.getRoleRef().getKind());
    assertBoundToOperatorServiceAccount(chart, binding.getSubjects());
    assertNull(env(operator(chart.single(Deployment.class))).get("WATCH_NAMESPACES"));
    assertEquals(
        Set.of(FULLNAME + "-leader-election"),
        chart.all(Role.class).stream().map(r -> r.getMetadata().getName()).collect(toSet()),
        "the only namespaced Role is the Lease one");
  }

  @Test
  void grantsAccessOnlyInTheWatchedNamespacesInNamespacedMode() {
    RenderedChart chart = render("namespaced.yaml");

    assertTrue(chart.all(ClusterRole.class).isEmpty(), "no ClusterRole");
    assertTrue(chart.all(ClusterRoleBinding.class).isEmpty(), "no ClusterRoleBinding");
    for (String namespace : List.of("team-a", "team-b")) {
      Role role = chart.named(Role.class, namespace, FULLNAME).orElseThrow();
      assertEquals(RESOURCE_VERBS, verbsByResource(role.getRules()), namespace);
      RoleBinding binding = chart.named(RoleBinding.class, namespace, FULLNAME).orElseThrow();
      assertEquals("Role", binding.getRoleRef().getKind());
      assertEquals(FULLNAME, binding.getRoleRef().getName());
      assertBoundToOperatorServiceAccount(chart, binding.getSubjects());
    }
    assertEquals(
        Set.of("team-a", "team-b", NAMESPACE),
        chart.all(Role.class).stream().map(r -> r.getMetadata().getNamespace()).collect(toSet()),
        "Roles only in the watched namespaces, plus the Lease Role in the release namespace");
    assertEquals(
        "team-a,team-b",
        env(operator(chart.single(Deployment.class))).get("WATCH_NAMESPACES").getValue());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueSets")
  void grantsNoWildcardVerbsResourcesOrGroups(String valueSet) {
    RenderedChart chart = renderValueSet(valueSet);
    List<PolicyRule> rules =
        Stream.concat(
                chart.all(ClusterRole.class).stream().flatMap(r -> r.getRules().stream()),
                chart.all(Role.class).stream().flatMap(r -> r.getRules().stream()))
            .collect(Collectors.toList());

    assertFalse(rules.isEmpty());
    for (PolicyRule rule : rules) {
      Stream.of(rule.getApiGroups(), rule.getResources(), rule.getVerbs())
          .flatMap(List::stream)
          .forEach(entry -> assertFalse(entry.contains("*"), () -> "wildcard in " + rule));
      assertTrue(rule.getNonResourceURLs() == null || rule.getNonResourceURLs().isEmpty());
      assertFalse(
          rule.getResources().contains("secrets")
              && rule.getVerbs().stream()
                  .anyMatch(v -> !Set.of("get", "list", "watch").contains(v)),
          () -> "Secrets are read-only: " + rule);
      assertFalse(
          rule.getResources().contains("workerdeployments")
              && rule.getVerbs().stream()
                  .anyMatch(v -> !Set.of("get", "list", "watch").contains(v)),
          () -> "the operator never writes spec: " + rule);
    }
  }

  @Test
  void runsOneReplicaWithoutLeaseWhenLeaderElectionIsOff() {
    RenderedChart chart = render("single-replica.yaml");
    Deployment deployment = chart.single(Deployment.class);

    assertEquals(1, deployment.getSpec().getReplicas());
    Map<String, EnvVar> env = env(operator(deployment));
    assertEquals("false", env.get("CFWORKERS_LEADER_ELECTION_ENABLED").getValue());
    assertNull(env.get("CFWORKERS_LEADER_ELECTION_LEASE_NAME"));
    assertTrue(chart.all(Role.class).isEmpty(), "no Lease Role without leader election");
    assertTrue(chart.all(RoleBinding.class).isEmpty());
  }

  @Test
  void refusesSeveralReplicasWithoutLeaderElection() {
    IllegalStateException failure =
        assertThrows(
            IllegalStateException.class,
            () -> RenderedChart.template(Map.of("replicas", 3, "leaderElection.enabled", false)));

    assertTrue(
        failure.getMessage().contains("replicas > 1 requires leaderElection.enabled"),
        failure.getMessage());
  }

  @Test
  void shipsThePrometheusRuleAlertsOnlyWhenEnabled() {
    assertTrue(render().ofKind("PrometheusRule").isEmpty(), "off by default");

    GenericKubernetesResource rule =
        (GenericKubernetesResource) render("prometheus-rule.yaml").ofKind("PrometheusRule").get(0);

    assertEquals("monitoring.coreos.com/v1", rule.getApiVersion());
    assertEquals("prometheus", rule.getMetadata().getLabels().get("release"));
    List<Map<String, Object>> groups = rule.get("spec", "groups");
    assertEquals(1, groups.size());
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rules = (List<Map<String, Object>>) groups.get(0).get("rules");
    Map<String, Map<String, Object>> byName = new TreeMap<>();
    rules.forEach(r -> byName.put((String) r.get("alert"), r));
    assertEquals(
        Set.of(
            "WorkerDeploymentStalled",
            "WorkerDeploymentOperatorNoLeader",
            "WorkerDeploymentDriftCorrectedRepeatedly",
            "WorkerDeploymentCloudflareRateLimited"),
        byName.keySet());
    String job = "job=\"" + FULLNAME + "-metrics\"";
    for (Map<String, Object> alert : rules) {
      assertTrue(
          ((String) alert.get("expr")).contains(job), () -> "scoped to the release: " + alert);
      assertEquals("critical", ((Map<?, ?>) alert.get("labels")).get("severity"));
      assertFalse(
          ((Map<?, ?>) alert.get("annotations")).get("description").toString().isBlank(),
          () -> "says what to do: " + alert);
    }
    Map<String, Object> stalled = byName.get("WorkerDeploymentStalled");
    assertTrue(
        ((String) stalled.get("expr"))
            .contains(
                prometheusName(ConditionMetrics.METRIC)
                    + "{"
                    + job
                    + ", type=\"Stalled\", status=\"True\"}"),
        stalled::toString);
    assertEquals("30m", stalled.get("for"));
    assertTrue(
        ((Map<?, ?>) stalled.get("annotations"))
            .get("summary")
            .toString()
            .contains("{{ $labels.namespace }}/{{ $labels.name }}"),
        "Prometheus templates reach the rule unrendered by Helm");
    assertEquals("2m", byName.get("WorkerDeploymentOperatorNoLeader").get("for"));
    assertTrue(
        byName.get("WorkerDeploymentOperatorNoLeader").get("expr").toString().contains("absent("),
        "fires when no pod reports at all");
    assertTrue(
        byName
            .get("WorkerDeploymentDriftCorrectedRepeatedly")
            .get("expr")
            .toString()
            .endsWith("[1h]) > 5"));
    assertTrue(
        byName
            .get("WorkerDeploymentCloudflareRateLimited")
            .get("expr")
            .toString()
            .contains(
                prometheusName(HttpWorkersDeploymentsApi.RATE_LIMIT_WAITS_METRIC)
                    + "_total{"
                    + job
                    + ", source=\"cloudflare\"}"));
  }

  /** A Micrometer meter name as the Prometheus registry exposes it (counters add _total). */
  private static String prometheusName(String meterName) {
    return meterName.replace('.', '_');
  }

  @Test
  void scrapesMetricsWithServiceMonitorOnlyWhenEnabled() {
    assertTrue(render().ofKind("ServiceMonitor").isEmpty(), "off by default");

    RenderedChart chart = render("service-monitor.yaml");
    GenericKubernetesResource monitor =
        (GenericKubernetesResource) chart.ofKind("ServiceMonitor").get(0);
    Service service = chart.single(Service.class);

    assertEquals("monitoring.coreos.com/v1", monitor.getApiVersion());
    assertEquals("prometheus", monitor.getMetadata().getLabels().get("release"));
    Map<String, Object> endpoint =
        monitor.<List<Map<String, Object>>>get("spec", "endpoints").get(0);
    assertEquals("/q/metrics", endpoint.get("path"));
    assertEquals("15s", endpoint.get("interval"));
    assertEquals(
        Boolean.TRUE,
        endpoint.get("honorLabels"),
        "the condition gauge's namespace label is the resource's, not the operator's");
    assertEquals(service.getSpec().getPorts().get(0).getName(), endpoint.get("port"));
    Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
    assertTrue(
        service.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()),
        "the ServiceMonitor selects the metrics Service");
    assertTrue(
        podLabels(chart).entrySet().containsAll(service.getSpec().getSelector().entrySet()),
        "the Service selects the operator pods");
    assertEquals("http", service.getSpec().getPorts().get(0).getTargetPort().getStrVal());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          two replicas by default: a drain keeps one          | 2 |       | true
          one replica: a budget would block every drain       | 1 |       | false
          three replicas                                      | 3 |       | true
          turned off with two replicas                        | 2 | false | false
          forced on with one replica                          | 1 | true  | true
          """)
  void createsAPodDisruptionBudgetWhenThereIsAReplicaToSpare(
      String reason, int replicas, String enabled, boolean expected) {
    Map<String, Object> sets = new LinkedHashMap<>();
    sets.put("replicas", replicas);
    if (replicas == 1) {
      sets.put("leaderElection.enabled", false);
    }
    if (enabled != null) {
      sets.put("podDisruptionBudget.enabled", Boolean.parseBoolean(enabled));
    }
    assertEquals(expected, !render(sets).all(PodDisruptionBudget.class).isEmpty(), reason);
  }

  @Test
  void spreadsReplicasOverNodesByDefault() {
    Deployment deployment = render().single(Deployment.class);
    var constraints = deployment.getSpec().getTemplate().getSpec().getTopologySpreadConstraints();

    assertEquals(1, constraints.size());
    assertEquals("kubernetes.io/hostname", constraints.get(0).getTopologyKey());
    assertEquals("ScheduleAnyway", constraints.get(0).getWhenUnsatisfiable());
    assertEquals(1, constraints.get(0).getMaxSkew());
    assertEquals(
        deployment.getSpec().getSelector().getMatchLabels(),
        constraints.get(0).getLabelSelector().getMatchLabels(),
        "the constraint counts the operator's own pods");

    var custom =
        render(
                Map.of(
                    "topologySpreadConstraints[0].maxSkew", 1,
                    "topologySpreadConstraints[0].topologyKey", "topology.kubernetes.io/zone",
                    "topologySpreadConstraints[0].whenUnsatisfiable", "DoNotSchedule"))
            .single(Deployment.class)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getTopologySpreadConstraints();
    assertEquals("topology.kubernetes.io/zone", custom.get(0).getTopologyKey());
    assertEquals(
        deployment.getSpec().getSelector().getMatchLabels(),
        custom.get(0).getLabelSelector().getMatchLabels());
    assertTrue(
        render(Map.of("topologySpreadConstraints", "null"))
            .single(Deployment.class)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getTopologySpreadConstraints()
            .isEmpty(),
        "[] turns it off");
  }

  @Test
  void keepsOnePodThroughDisruptionsWithTheValuesBudget() {
    RenderedChart chart = render("pdb.yaml");
    PodDisruptionBudget budget = chart.single(PodDisruptionBudget.class);

    assertEquals(1, budget.getSpec().getMinAvailable().getIntVal());
    assertTrue(
        podLabels(chart)
            .entrySet()
            .containsAll(budget.getSpec().getSelector().getMatchLabels().entrySet()));
  }

  private static void assertProbe(String path, HTTPGetAction get) {
    assertEquals(path, get.getPath());
    assertEquals("http", get.getPort().getStrVal());
  }

  private static void assertRuntimeDefault(SeccompProfile profile) {
    assertNotNull(profile, "seccompProfile set");
    assertEquals("RuntimeDefault", profile.getType());
  }

  private static void assertBoundToOperatorServiceAccount(
      RenderedChart chart, List<Subject> subjects) {
    ServiceAccount account = chart.single(ServiceAccount.class);
    Deployment deployment = chart.single(Deployment.class);
    assertEquals(
        account.getMetadata().getName(),
        deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
    assertEquals(1, subjects.size());
    assertEquals("ServiceAccount", subjects.get(0).getKind());
    assertEquals(account.getMetadata().getName(), subjects.get(0).getName());
    assertEquals(NAMESPACE, subjects.get(0).getNamespace());
  }

  /** "group/resource" (or "group/resource[name]" when narrowed to names) to its verbs. */
  private static Map<String, Set<String>> verbsByResource(List<PolicyRule> rules) {
    Map<String, Set<String>> verbs = new LinkedHashMap<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          String key = group + "/" + resource;
          if (rule.getResourceNames() != null && !rule.getResourceNames().isEmpty()) {
            key += rule.getResourceNames();
          }
          verbs.computeIfAbsent(key, k -> new TreeSet<>()).addAll(rule.getVerbs());
        }
      }
    }
    return verbs;
  }

  private static Container operator(Deployment deployment) {
    List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  private static Map<String, String> podLabels(RenderedChart chart) {
    return chart.single(Deployment.class).getSpec().getTemplate().getMetadata().getLabels();
  }

  private static Map<String, EnvVar> env(Container container) {
    Map<String, EnvVar> env = new LinkedHashMap<>();
    for (EnvVar var : container.getEnv()) {
      assertNull(env.put(var.getName(), var), () -> "duplicate env " + var.getName());
    }
    return env;
  }

  private static Map<String, EnvVar> withoutPodNamespace(Map<String, EnvVar> env) {
    Map<String, EnvVar> copy = new LinkedHashMap<>(env);
    copy.remove("POD_NAMESPACE");
    return copy;
  }

  private static <T> java.util.stream.Collector<T, ?, Set<T>> toSet() {
    return Collectors.toCollection(TreeSet::new);
  }
}
