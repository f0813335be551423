package io.cfworkers.operator.api.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What users see of the committed CRD besides validation: names, columns, documentation. */
class WorkerDeploymentCrdTest {
  static CustomResourceDefinition crd;
  static CustomResourceDefinitionVersion version;

  @BeforeAll
  static void load() throws IOException {
    crd =
        new ObjectMapper(new YAMLFactory())
            .readValue(CrdIsUpToDateTest.COMMITTED.toFile(), CustomResourceDefinition.class);
    version = crd.getSpec().getVersions().get(0);
  }

  @Test
  void isNamespacedWithShortNameAndStatusSubresource() {
    assertEquals("workerdeployments.cfworkers.io", crd.getMetadata().getName());
    assertEquals("Namespaced", crd.getSpec().getScope());
    assertEquals(List.of("wd"), crd.getSpec().getNames().getShortNames());
    assertEquals(
        List.of("cfworkers"),
        crd.getSpec().getNames().getCategories(),
        "kubectl get cfworkers lists them");
    assertEquals(1, crd.getSpec().getVersions().size());
    assertEquals("v1alpha1", version.getName());
    assertTrue(version.getServed() && version.getStorage());
    assertTrue(version.getSubresources().getStatus() != null, "status subresource");
  }

  @Test
  void kubectlExplainStartsWithWhatItIs() {
    String description = version.getSchema().getOpenAPIV3Schema().getDescription();
    assertTrue(
        description != null
            && description.startsWith(
                "WorkerDeployment declares which versions of a Cloudflare Worker script serve its"
                    + " traffic"),
        "root description: " + description);
  }

  @Test
  void printsTheDeclaredSplitTheReadyReasonAndTheDeploymentWithWide() {
    List<List<String>> columns =
        version.getAdditionalPrinterColumns().stream()
            .map(
                c ->
                    List.of(
                        c.getName(),
                        c.getJsonPath(),
                        c.getType(),
                        "" + (c.getPriority() == null ? 0 : c.getPriority())))
            .toList();
    assertEquals(
        List.of(
            List.of("SCRIPT", ".spec.scriptName", "string", "0"),
            List.of("DECLARED", ".spec.versions[*].percentage", "string", "0"),
            List.of("VERSIONS", ".status.versionSummary", "string", "0"),
            List.of("READY", ".status.conditions[?(@.type==\"Ready\")].status", "string", "0"),
            List.of("REASON", ".status.conditions[?(@.type==\"Ready\")].reason", "string", "0"),
            List.of("STEP", ".status.rollout.step", "integer", "0"),
            List.of("PHASE", ".status.rollout.phase", "string", "0"),
            List.of("ANALYSIS", ".status.rollout.analysis.lastMeasurement.result", "string", "1"),
            List.of("DEPLOYMENT", ".status.deploymentId", "string", "1"),
            List.of("AGE", ".metadata.creationTimestamp", "date", "0")),
        columns);
    version
        .getAdditionalPrinterColumns()
        .forEach(c -> assertTrue(!c.getDescription().isBlank(), c.getName() + " description"));
  }

  @Test
  void everyPropertyHasADescriptionForKubectlExplain() {
    List<String> undescribed = new ArrayList<>();
    collectUndescribed(version.getSchema().getOpenAPIV3Schema(), "", undescribed);
    assertEquals(List.of(), undescribed, "properties without a description");
  }

  @Test
  void conditionsAreAListKeyedByType() {
    JSONSchemaProps conditions =
        version
            .getSchema()
            .getOpenAPIV3Schema()
            .getProperties()
            .get("status")
            .getProperties()
            .get("conditions");
    assertEquals("map", conditions.getXKubernetesListType());
    assertEquals(List.of("type"), conditions.getXKubernetesListMapKeys());
    assertTrue(conditions.getItems().getSchema().getRequired().contains("type"));
  }

  private static void collectUndescribed(JSONSchemaProps schema, String path, List<String> out) {
    if (schema.getProperties() != null) {
      for (Map.Entry<String, JSONSchemaProps> property : schema.getProperties().entrySet()) {
        String childPath = path.isEmpty() ? property.getKey() : path + "." + property.getKey();
        String description = property.getValue().getDescription();
        if (description == null || description.isBlank()) {
          out.add(childPath);
        }
        collectUndescribed(property.getValue(), childPath, out);
      }
    }
    if (schema.getItems() != null && schema.getItems().getSchema() != null) {
      collectUndescribed(schema.getItems().getSchema(), path + "[]", out);
    }
  }
}
