package io.cfworkers.operator.support.rbac;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.cfworkers.operator.support.rbac.Grants.Grant;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the Helm chart grants the operator: renders the chart with real Helm ({@code helm template},
 * through helm-java), finds the ServiceAccount its Deployment runs as, and collects the rules of
 * every Role and ClusterRole bound to that ServiceAccount. Nothing is hand-copied from the chart,
 * so a change to its templates changes what the tests' API server allows.
 */
public final class ChartRbac {
  /** The release name tests render with. */
  public static final String RELEASE = "wdo";

  /** The chart's full name for {@link #RELEASE}: the default Lease name and object prefix. */
  public static final String FULLNAME = "wdo-worker-deployment-operator";

  private ChartRbac() {}

  /**
   * The operator's grants with the chart installed in {@code releaseNamespace}, rendered with the
   * chart's defaults plus {@code sets} ({@code --set key=value}, e.g. {@code watchNamespaces[0]}).
   */
  public static Grants render(Path projectDir, String releaseNamespace, Map<String, String> sets) {
    TemplateCommand command =
        new Helm(projectDir.resolve("helm/worker-deployment-operator"))
            .template()
            .withName(RELEASE)
            .withNamespace(releaseNamespace);
    for (Map.Entry<String, String> set : sets.entrySet()) {
      command = command.set(set.getKey(), set.getValue());
    }
    return grantsOfOperator(parse(command.call()), releaseNamespace);
  }

  /** Rendered from the working directory (the project root when Maven runs the tests). */
  public static Grants render(String releaseNamespace, Map<String, String> sets) {
    return render(Path.of(""), releaseNamespace, sets);
  }

  private static Grants grantsOfOperator(List<HasMetadata> objects, String releaseNamespace) {
    Deployment deployment =
        objects.stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("the chart rendered no Deployment"));
    String account = deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
    List<Grant> grants = new ArrayList<>();
    for (HasMetadata o : objects) {
      if (o instanceof ClusterRoleBinding b
          && boundTo(b.getSubjects(), account, releaseNamespace)) {
        ClusterRole role = find(objects, ClusterRole.class, null, b.getRoleRef().getName());
        role.getRules().forEach(r -> grants.add(new Grant(null, r)));
      } else if (o instanceof RoleBinding b
          && boundTo(b.getSubjects(), account, releaseNamespace)) {
        String namespace = b.getMetadata().getNamespace();
        if ("ClusterRole".equals(b.getRoleRef().getKind())) {
          find(objects, ClusterRole.class, null, b.getRoleRef().getName())
              .getRules()
              .forEach(r -> grants.add(new Grant(namespace, r)));
        } else {
          find(objects, Role.class, namespace, b.getRoleRef().getName())
              .getRules()
              .forEach(r -> grants.add(new Grant(namespace, r)));
        }
      }
    }
    return new Grants(grants);
  }

  private static boolean boundTo(List<Subject> subjects, String account, String namespace) {
    return subjects.stream()
        .anyMatch(
            s ->
                "ServiceAccount".equals(s.getKind())
                    && account.equals(s.getName())
                    && namespace.equals(s.getNamespace()));
  }

  private static <T extends HasMetadata> T find(
      List<HasMetadata> objects, Class<T> type, String namespace, String name) {
    return objects.stream()
        .filter(type::isInstance)
        .map(type::cast)
        .filter(o -> name.equals(o.getMetadata().getName()))
        .filter(o -> Objects.equals(namespace, o.getMetadata().getNamespace()))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "a binding refers to " + type.getSimpleName() + " " + name + ", not rendered"));
  }

  private static List<HasMetadata> parse(String manifests) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : manifests.split("(?m)^---\\s*$")) {
      boolean onlyComments =
          document.lines().map(String::strip).allMatch(l -> l.isEmpty() || l.startsWith("#"));
      if (!onlyComments) {
        objects.add(Serialization.unmarshal(document));
      }
    }
    return objects;
  }
}
