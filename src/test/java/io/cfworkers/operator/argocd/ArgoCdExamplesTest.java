package io.cfworkers.operator.argocd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Argo CD manifests in examples/ are what the docs say they are. */
class ArgoCdExamplesTest {
  private static final String HEALTH_KEY =
      "resource.customizations.health.cfworkers.io_WorkerDeployment";
  private static final String ACTIONS_KEY =
      "resource.customizations.actions.cfworkers.io_WorkerDeployment";

  @Test
  void argocdCmPatchCarriesTheChartsHealthScriptVerbatim() throws IOException {
    Map<String, Map<String, String>> patch =
        Serialization.unmarshal(
            Files.readString(Path.of("examples", "argocd-cm-health-patch.yaml")), Map.class);

    assertEquals(Files.readString(ArgoCdHealthCheckTest.SCRIPT), patch.get("data").get(HEALTH_KEY));
  }

  @Test
  @SuppressWarnings("unchecked")
  void argocdCmActionsPatchCarriesTheChartsActionScriptsVerbatim() throws IOException {
    Map<String, Map<String, String>> patch =
        Serialization.unmarshal(
            Files.readString(Path.of("examples", "argocd-cm-actions-patch.yaml")), Map.class);
    // The key's value is itself YAML, in the format Argo CD reads: discovery.lua and definitions.
    Map<String, Object> actions =
        Serialization.unmarshal(patch.get("data").get(ACTIONS_KEY), Map.class);

    assertEquals(
        Files.readString(ArgoCdActionsTest.ACTIONS.resolve("discovery.lua")),
        actions.get("discovery.lua"));
    List<Map<String, String>> definitions = (List<Map<String, String>>) actions.get("definitions");
    assertEquals(
        ArgoCdActionsTest.ACTION_NAMES,
        definitions.stream().map(d -> d.get("name")).toList(),
        "one definition per action discovery.lua lists");
    for (Map<String, String> definition : definitions) {
      assertEquals(
          Files.readString(
              ArgoCdActionsTest.ACTIONS.resolve(definition.get("name")).resolve("action.lua")),
          definition.get("action.lua"),
          definition.get("name"));
    }
  }

  @Test
  void applicationSyncsAGitDirectoryIntoOneNamespaceWithoutIgnoringDifferences()
      throws IOException {
    GenericKubernetesResource application =
        Serialization.unmarshal(
            Files.readString(Path.of("examples", "argocd-application.yaml")),
            GenericKubernetesResource.class);

    assertEquals("argoproj.io/v1alpha1", application.getApiVersion());
    assertEquals("Application", application.getKind());
    assertNotNull(application.get("spec", "project"));
    assertTrue(application.<String>get("spec", "source", "repoURL").startsWith("https://"));
    assertFalse(application.<String>get("spec", "source", "path").isBlank());
    assertNotNull(application.get("spec", "destination", "server"));
    assertNotNull(application.get("spec", "destination", "namespace"));
    assertEquals(Boolean.TRUE, application.get("spec", "syncPolicy", "automated", "selfHeal"));
    assertNull(
        application.get("spec", "ignoreDifferences"),
        "WorkerDeployments stay in sync without diff exceptions");
    List<String> syncOptions = application.get("spec", "syncPolicy", "syncOptions");
    assertTrue(syncOptions == null || !syncOptions.contains("Replace=true"));
  }
}
