package io.cfworkers.operator.api.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A WorkerDeployment can only use a Secret of its own namespace: the published CRD gives a Secret
 * reference a name and a key and nothing else, and keeps unknown fields out, so a namespace cannot
 * even be written down (the apiserver refuses it; see WorkerDeploymentCrdValidationTest).
 */
class SecretReferenceSchemaTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"apiTokenSecretRef", "apiKeySecretRef"})
  void secretReferenceHasOnlyNameAndKey(String field) throws IOException {
    JSONSchemaProps ref = authSchema().getProperties().get(field);
    assertEquals(Set.of("key", "name"), new TreeSet<>(ref.getProperties().keySet()), field);
    assertNull(ref.getXKubernetesPreserveUnknownFields(), field + " keeps no unknown fields");
    assertNull(ref.getAdditionalProperties(), field + " allows no additional properties");
  }

  @Test
  void noPropertyUnderAuthNamesANamespace() throws IOException {
    List<String> names = new ArrayList<>();
    collectPropertyNames(authSchema(), "spec.auth", names);
    assertTrue(names.contains("spec.auth.apiTokenSecretRef.name"), "the walk sees the tree");
    names.forEach(n -> assertFalse(n.toLowerCase(Locale.ROOT).contains("namespace"), n));
  }

  private static void collectPropertyNames(JSONSchemaProps schema, String path, List<String> out) {
    if (schema.getProperties() == null) {
      return;
    }
    schema
        .getProperties()
        .forEach(
            (name, child) -> {
              out.add(path + "." + name);
              collectPropertyNames(child, path + "." + name, out);
            });
  }

  private static JSONSchemaProps authSchema() throws IOException {
    return authSchema(Path.of("crds/workerdeployments.cfworkers.io-v1.yml"));
  }

  private static JSONSchemaProps authSchema(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
      return crd.getSpec()
          .getVersions()
          .get(0)
          .getSchema()
          .getOpenAPIV3Schema()
          .getProperties()
          .get("spec")
          .getProperties()
          .get("auth");
    }
  }
}
