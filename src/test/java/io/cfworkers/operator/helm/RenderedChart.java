package io.cfworkers.operator.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The chart rendered by real Helm ({@code helm template}), parsed into Kubernetes objects. Known
 * kinds come back typed (Deployment, Role, …); others as {@code GenericKubernetesResource}.
 */
final class RenderedChart {
  static final Path CHART = Path.of("helm", "worker-deployment-operator");
  static final String RELEASE = "wdo";
  static final String NAMESPACE = "cfworkers-system";
  static final Path VALUES = Path.of("src", "test", "resources", "helm");

  private final List<HasMetadata> objects;

  private RenderedChart(List<HasMetadata> objects) {
    this.objects = objects;
  }

  /** Renders with the chart's defaults plus the given values files (under test resources/helm). */
  static RenderedChart render(String... valuesFiles) {
    return render(Map.of(), valuesFiles);
  }

  /** Renders with {@code --set key=value} for each entry, then the given values files. */
  static RenderedChart render(Map<String, Object> sets, String... valuesFiles) {
    return parse(template(sets, valuesFiles));
  }

  /** The raw output of {@code helm template}; throws with Helm's error message when it fails. */
  static String template(Map<String, Object> sets, String... valuesFiles) {
    TemplateCommand command = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
    for (String file : valuesFiles) {
      command = command.withValuesFile(VALUES.resolve(file));
    }
    for (Map.Entry<String, Object> set : sets.entrySet()) {
      command = command.set(set.getKey(), set.getValue());
    }
    return command.call();
  }

  private static RenderedChart parse(String manifests) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : manifests.split("(?m)^---\\s*$")) {
      boolean onlyComments =
          document.lines().map(String::strip).allMatch(l -> l.isEmpty() || l.startsWith("#"));
      if (!onlyComments) {
        objects.add(Serialization.unmarshal(document));
      }
    }
    return new RenderedChart(objects);
  }

  List<HasMetadata> all() {
    return objects;
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
  }

  List<HasMetadata> ofKind(String kind) {
    return objects.stream().filter(o -> kind.equals(o.getKind())).collect(Collectors.toList());
  }

  <T extends HasMetadata> T single(Class<T> type) {
    List<T> found = all(type);
    assertEquals(1, found.size(), () -> "rendered " + type.getSimpleName() + " objects: " + found);
    return found.get(0);
  }

  <T extends HasMetadata> Optional<T> named(Class<T> type, String namespace, String name) {
    return all(type).stream()
        .filter(o -> name.equals(o.getMetadata().getName()))
        .filter(o -> Objects.equals(namespace, o.getMetadata().getNamespace()))
        .findFirst();
  }
}
