package io.cfworkers.operator.api.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.support.crd.CrdValidator;
import io.cfworkers.operator.support.crd.CrdValidator.Admission;
import io.cfworkers.operator.support.crd.CrdValidator.FieldValidation;
import io.cfworkers.operator.support.crd.Manifest;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The committed CRD (not the Java model) admits good manifests and rejects bad ones with the
 * messages {@code kubectl apply} would print: the schema through a JSON-schema validator, the CEL
 * rules through cel-java.
 */
class WorkerDeploymentCrdValidationTest {
  static final CrdValidator CRD = CrdValidator.fromCrdFile(CrdIsUpToDateTest.COMMITTED);

  static final String V1 = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";
  static final String V2 = "7a3c0b4e-1f2d-4c5b-9e8f-0a1b2c3d4e5f";
  static final String V3 = "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";

  static final Manifest CANARY =
      Manifest.parse(
          """
          apiVersion: cfworkers.io/v1alpha1
          kind: WorkerDeployment
          metadata:
            name: checkout-api
            namespace: shop
          spec:
            accountId: 023e105f4ecef8ad9ca31a8372d0c353
            scriptName: checkout-api
            auth:
              apiTokenSecretRef: {name: cloudflare-api, key: token}
            versions:
              - {versionId: %s, percentage: 90}
              - {versionId: %s, percentage: 10}
          """
              .formatted(V1, V2));

  static final Manifest SINGLE =
      CANARY.with("spec.versions", List.of(Map.of("versionId", V1, "percentage", 100)));

  static final Manifest LEGACY_AUTH =
      CANARY.with(
          "spec.auth",
          Map.of(
              "email",
              "ops@example.com",
              "apiKeySecretRef",
              Map.of("name", "cf-global-key", "key", "key")));

  static Stream<Arguments> goodManifests() {
    return Stream.of(
        Arguments.of("one version at 100", SINGLE),
        Arguments.of("90/10 canary with integer percentages", CANARY),
        Arguments.of("legacy email and global API key", LEGACY_AUTH),
        Arguments.of(
            "every optional field set",
            CANARY
                .with("spec.strategy", "percentage")
                .with("spec.message", "Canary 10% of release 2026.11")
                .with("spec.force", true)
                .with("spec.suspend", true)),
        Arguments.of(
            "fractional split 33.333 + 66.667",
            CANARY
                .with("spec.versions[0].percentage", 33.333)
                .with("spec.versions[1].percentage", 66.667)),
        Arguments.of(
            "smallest share 0.01",
            CANARY
                .with("spec.versions[0].percentage", 99.99)
                .with("spec.versions[1].percentage", 0.01)),
        Arguments.of(
            "sum 99.9995 is within the tolerance",
            SINGLE.with("spec.versions[0].percentage", 99.9995)),
        Arguments.of(
            "sum 100.0009 is within the tolerance",
            CANARY.with("spec.versions[0].percentage", 90.0009)),
        Arguments.of(
            "message of 50 two-byte characters is exactly 100 bytes",
            CANARY.with("spec.message", "é".repeat(50))),
        Arguments.of(
            "message of exactly 100 ASCII bytes", CANARY.with("spec.message", "m".repeat(100))),
        Arguments.of(
            "secret name with dots and a key with dots and underscores",
            CANARY.with(
                "spec.auth.apiTokenSecretRef",
                Map.of("name", "cloudflare.api-tokens", "key", "api_token.v2"))),
        Arguments.of(
            "one version by tag",
            SINGLE.with(
                "spec.versions",
                List.of(Map.of("versionTag", "release-2026.11", "percentage", 100)))),
        Arguments.of(
            "one version by id, the other by tag",
            CANARY.with("spec.versions[1]", Map.of("versionTag", "canary", "percentage", 10))),
        Arguments.of(
            "two tags",
            CANARY
                .with("spec.versions[0]", Map.of("versionTag", "stable", "percentage", 90))
                .with("spec.versions[1]", Map.of("versionTag", "canary", "percentage", 10))),
        Arguments.of(
            "tag of 50 two-byte characters is exactly 100 bytes",
            SINGLE.with(
                "spec.versions", List.of(Map.of("versionTag", "é".repeat(50), "percentage", 100)))),
        Arguments.of("script name with underscore", CANARY.with("spec.scriptName", "my_script-01")),
        Arguments.of(
            "status in the manifest is ignored on create",
            CANARY.with("status", Map.of("deploymentId", 42))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodManifests")
  void admitsValidManifest(String name, Manifest manifest) {
    assertEquals(List.of(), CRD.validate(manifest.toMap()));
  }

  static Stream<Arguments> badManifests() {
    return Stream.of(
        // versions: shape and types
        bad(
            "percentage is a string",
            CANARY.with("spec.versions[0].percentage", "ten"),
            "spec.versions[0].percentage: Invalid value: \"string\": spec.versions[0].percentage"
                + " in body must be of type number: \"string\""),
        bad(
            "versions is an object",
            CANARY.with("spec.versions", Map.of("versionId", V1, "percentage", 100)),
            "spec.versions: Invalid value: \"object\": spec.versions in body must be of type"
                + " array: \"object\""),
        bad("versions missing", CANARY.without("spec.versions"), "spec.versions: Required value"),
        bad(
            "no versions",
            CANARY.with("spec.versions", List.of()),
            "spec.versions: Invalid value: 0: spec.versions in body should have at least 1 items"),
        bad(
            "three versions",
            CANARY
                .with("spec.versions[0].percentage", 80)
                .with("spec.versions[2]", Map.of("versionId", V3, "percentage", 10)),
            "spec.versions: Too many: 3: must have at most 2 items"),
        bad(
            "duplicate version ids",
            CANARY
                .with("spec.versions[0].percentage", 50)
                .with("spec.versions[1]", Map.of("versionId", V1, "percentage", 50)),
            "spec.versions: Invalid value: \"array\": spec.versions: each versionId may appear"
                + " only once"),
        bad(
            "neither versionId nor versionTag",
            CANARY.without("spec.versions[0].versionId"),
            "spec.versions: Invalid value: \"array\": spec.versions: each entry needs exactly one"
                + " of versionId or versionTag"),
        // versions: tags
        bad(
            "both versionId and versionTag",
            CANARY.with("spec.versions[0].versionTag", "release-2026.11"),
            "spec.versions: Invalid value: \"array\": spec.versions: each entry needs exactly one"
                + " of versionId or versionTag"),
        bad(
            "tag of 101 ASCII bytes",
            SINGLE.with(
                "spec.versions", List.of(Map.of("versionTag", "t".repeat(101), "percentage", 100))),
            "spec.versions[0].versionTag: Too long: may not be longer than 100"),
        bad(
            "tag of 51 two-byte characters is 102 bytes",
            SINGLE.with(
                "spec.versions", List.of(Map.of("versionTag", "é".repeat(51), "percentage", 100))),
            "spec.versions[0].versionTag: Invalid value: \"string\": spec.versions[].versionTag"
                + " may be at most 100 bytes of UTF-8"),
        bad(
            "empty tag",
            SINGLE.with("spec.versions", List.of(Map.of("versionTag", "", "percentage", 100))),
            "spec.versions[0].versionTag: Invalid value: \"\": spec.versions[0].versionTag in"
                + " body should be at least 1 chars long"),
        bad(
            "the same tag twice",
            CANARY
                .with("spec.versions[0]", Map.of("versionTag", "rc", "percentage", 50))
                .with("spec.versions[1]", Map.of("versionTag", "rc", "percentage", 50)),
            "spec.versions: Invalid value: \"array\": spec.versions: each versionTag may appear"
                + " only once"),
        bad(
            "tag is a number",
            SINGLE.with("spec.versions", List.of(Map.of("versionTag", 42, "percentage", 100))),
            "spec.versions[0].versionTag: Invalid value: \"integer\": spec.versions[0].versionTag"
                + " in body must be of type string: \"integer\""),
        bad(
            "percentage missing",
            SINGLE.without("spec.versions[0].percentage"),
            "spec.versions[0].percentage: Required value"),
        // versions: the sum
        bad(
            "sum 99.9",
            CANARY.with("spec.versions[0].percentage", 89.9),
            "spec.versions: Invalid value: \"array\": spec.versions: percentages must add up to"
                + " 100 (±0.001)"),
        bad(
            "sum 100.01",
            CANARY.with("spec.versions[0].percentage", 90.01),
            "spec.versions: Invalid value: \"array\": spec.versions: percentages must add up to"
                + " 100 (±0.001)"),
        bad(
            "single version at 99",
            SINGLE.with("spec.versions[0].percentage", 99),
            "spec.versions: Invalid value: \"array\": spec.versions: percentages must add up to"
                + " 100 (±0.001)"),
        bad(
            "sum 99.998 just outside the tolerance",
            CANARY.with("spec.versions[0].percentage", 89.998),
            "spec.versions: Invalid value: \"array\": spec.versions: percentages must add up to"
                + " 100 (±0.001)"),
        // versions: each percentage
        bad(
            "percentage 0",
            CANARY.with("spec.versions[0].percentage", 100).with("spec.versions[1].percentage", 0),
            "spec.versions[1].percentage: Invalid value: 0: spec.versions[1].percentage in body"
                + " should be greater than or equal to 0.01"),
        bad(
            "percentage 0.001",
            CANARY
                .with("spec.versions[0].percentage", 99.999)
                .with("spec.versions[1].percentage", 0.001),
            "spec.versions[1].percentage: Invalid value: 0.001: spec.versions[1].percentage in"
                + " body should be greater than or equal to 0.01"),
        bad(
            "percentage 100.001",
            SINGLE.with("spec.versions[0].percentage", 100.001),
            "spec.versions[0].percentage: Invalid value: 100.001: spec.versions[0].percentage in"
                + " body should be less than or equal to 100"),
        bad(
            "negative percentage",
            CANARY
                .with("spec.versions[0].percentage", 110)
                .with("spec.versions[1].percentage", -10),
            "spec.versions[1].percentage: Invalid value: -10: spec.versions[1].percentage in body"
                + " should be greater than or equal to 0.01"),
        // versions: ids
        bad(
            "versionId not a UUID",
            SINGLE.with("spec.versions[0].versionId", "v42"),
            "spec.versions[0].versionId: Invalid value: \"v42\": spec.versions[0].versionId in"
                + " body should match '"
                + VersionTraffic.UUID_PATTERN
                + "'"),
        bad(
            "versionId in uppercase",
            SINGLE.with("spec.versions[0].versionId", V1.toUpperCase()),
            "spec.versions[0].versionId: Invalid value: \""
                + V1.toUpperCase()
                + "\": spec.versions[0].versionId in body should match"),
        bad(
            "versionId without dashes",
            SINGLE.with("spec.versions[0].versionId", V1.replace("-", "")),
            "spec.versions[0].versionId in body should match"),
        bad(
            "versionId in braces",
            SINGLE.with("spec.versions[0].versionId", "{" + V1 + "}"),
            "spec.versions[0].versionId: Too long: may not be longer than 36"),
        // message
        bad(
            "message of 101 ASCII bytes",
            CANARY.with("spec.message", "m".repeat(101)),
            "spec.message: Too long: may not be longer than 100"),
        bad(
            "message of 51 two-byte characters is 102 bytes",
            CANARY.with("spec.message", "é".repeat(51)),
            "spec.message: Invalid value: \"string\": spec.message may be at most 100 bytes of"
                + " UTF-8; shorten it"),
        bad(
            "message of 26 emoji is 104 bytes",
            CANARY.with("spec.message", "🚀".repeat(26)),
            "spec.message: Invalid value: \"string\": spec.message may be at most 100 bytes of"
                + " UTF-8; shorten it"),
        bad(
            "message is a number",
            CANARY.with("spec.message", 42),
            "spec.message: Invalid value: \"integer\": spec.message in body must be of type"
                + " string: \"integer\""),
        // target
        bad(
            "empty accountId",
            CANARY.with("spec.accountId", ""),
            "spec.accountId: Invalid value: \"\": spec.accountId in body should be at least 1"
                + " chars long"),
        bad(
            "33-character accountId",
            CANARY.with("spec.accountId", "0".repeat(33)),
            "spec.accountId: Too long: may not be longer than 32"),
        bad(
            "accountId with a path separator",
            CANARY.with("spec.accountId", "023e105f/../x"),
            "spec.accountId: Invalid value: \"023e105f/../x\": spec.accountId in body should match"
                + " '^[0-9a-f]+$'"),
        bad(
            "accountId missing",
            CANARY.without("spec.accountId"),
            "spec.accountId: Required value"),
        bad(
            "scriptName missing",
            CANARY.without("spec.scriptName"),
            "spec.scriptName: Required value"),
        bad(
            "scriptName with uppercase and a space",
            CANARY.with("spec.scriptName", "Checkout API"),
            "spec.scriptName: Invalid value: \"Checkout API\": spec.scriptName in body should match"
                + " '^[a-z0-9_-]+$'"),
        bad(
            "scriptName with a slash",
            CANARY.with("spec.scriptName", "checkout/../admin"),
            "spec.scriptName: Invalid value: \"checkout/../admin\": spec.scriptName in body should"
                + " match '^[a-z0-9_-]+$'"),
        bad(
            "scriptName of 64 characters",
            CANARY.with("spec.scriptName", "s".repeat(64)),
            "spec.scriptName: Too long: may not be longer than 63"),
        bad("spec missing", CANARY.without("spec"), "spec: Required value"),
        // strategy, force, suspend
        bad(
            "strategy blue-green",
            CANARY.with("spec.strategy", "blue-green"),
            "spec.strategy: Unsupported value: \"blue-green\": supported values: \"percentage\""),
        bad(
            "force as a string",
            CANARY.with("spec.force", "yes"),
            "spec.force: Invalid value: \"string\": spec.force in body must be of type boolean:"
                + " \"string\""),
        bad(
            "suspend as a number",
            CANARY.with("spec.suspend", 1),
            "spec.suspend: Invalid value: \"integer\": spec.suspend in body must be of type"
                + " boolean: \"integer\""),
        // auth
        bad("auth missing", CANARY.without("spec.auth"), "spec.auth: Required value"),
        bad(
            "both auth methods",
            LEGACY_AUTH.with(
                "spec.auth.apiTokenSecretRef", Map.of("name", "cloudflare-api", "key", "token")),
            "spec.auth: Invalid value: \"object\": spec.auth: set exactly one authentication"
                + " method: apiTokenSecretRef, or email together with apiKeySecretRef"),
        bad(
            "neither auth method",
            CANARY.with("spec.auth", Map.of()),
            "spec.auth: Invalid value: \"object\": spec.auth: set exactly one authentication"
                + " method: apiTokenSecretRef, or email together with apiKeySecretRef"),
        bad(
            "email without apiKeySecretRef",
            LEGACY_AUTH.without("spec.auth.apiKeySecretRef"),
            "spec.auth: Invalid value: \"object\": spec.auth: email and apiKeySecretRef must be"
                + " set together (legacy global API key authentication)"),
        bad(
            "apiKeySecretRef without email",
            LEGACY_AUTH.without("spec.auth.email"),
            "spec.auth: Invalid value: \"object\": spec.auth: email and apiKeySecretRef must be"
                + " set together (legacy global API key authentication)"),
        bad(
            "secret ref missing its key",
            CANARY.without("spec.auth.apiTokenSecretRef.key"),
            "spec.auth.apiTokenSecretRef.key: Required value"),
        bad(
            "secret name that is no DNS name",
            CANARY.with("spec.auth.apiTokenSecretRef.name", "Cloudflare_API"),
            "spec.auth.apiTokenSecretRef.name: Invalid value: \"Cloudflare_API\":"
                + " spec.auth.apiTokenSecretRef.name in body should match"),
        bad(
            "secret key with a slash",
            CANARY.with("spec.auth.apiTokenSecretRef.key", "cloudflare/token"),
            "spec.auth.apiTokenSecretRef.key: Invalid value: \"cloudflare/token\":"
                + " spec.auth.apiTokenSecretRef.key in body should match '^[-._a-zA-Z0-9]+$'"),
        bad(
            "malformed email",
            LEGACY_AUTH.with("spec.auth.email", "ops at example.com"),
            "spec.auth.email: Invalid value: \"ops at example.com\": spec.auth.email in body"
                + " should match"),
        // unknown fields, as kubectl apply (strict field validation by default) reports them
        bad(
            "secret ref with a namespace field",
            CANARY.with("spec.auth.apiTokenSecretRef.namespace", "kube-system"),
            "strict decoding error: unknown field \"spec.auth.apiTokenSecretRef.namespace\""),
        bad(
            "misspelt field under spec",
            CANARY.with("spec.versionz", List.of()),
            "strict decoding error: unknown field \"spec.versionz\""));
  }

  static Arguments bad(String name, Manifest manifest, String expectedError) {
    return Arguments.of(name, manifest, expectedError);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badManifests")
  void rejectsInvalidManifestNamingTheField(String name, Manifest manifest, String expected) {
    List<String> errors = CRD.validate(manifest.toMap());
    assertTrue(
        errors.stream().anyMatch(e -> e.startsWith(expected) || e.contains(expected)),
        () -> "expected an error containing\n  " + expected + "\nbut got\n  " + errors);
  }

  static Stream<Arguments> badUpdates() {
    return Stream.of(
        Arguments.of(
            "changing scriptName",
            (UnaryOperator<Manifest>) m -> m.with("spec.scriptName", "checkout-api-v2"),
            "spec.scriptName: Invalid value: \"string\": spec.scriptName is immutable: a different"
                + " script is a different target; create a new WorkerDeployment instead"),
        Arguments.of(
            "changing accountId",
            (UnaryOperator<Manifest>) m -> m.with("spec.accountId", "f".repeat(32)),
            "spec.accountId: Invalid value: \"string\": spec.accountId is immutable: a different"
                + " account is a different target; create a new WorkerDeployment instead"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badUpdates")
  void rejectsUpdateOfImmutableTarget(
      String name, UnaryOperator<Manifest> change, String expected) {
    List<String> errors = CRD.validateUpdate(CANARY.toMap(), change.apply(CANARY).toMap());
    assertEquals(List.of(expected), errors);
  }

  @Test
  void admitsUpdateThatChangesSplitMessageAndFlags() {
    Manifest updated =
        SINGLE.with("spec.message", "rollback").with("spec.force", true).with("spec.suspend", true);
    assertEquals(List.of(), CRD.validateUpdate(CANARY.toMap(), updated.toMap()));
  }

  @Test
  void sameChangeOfScriptNameIsAdmittedOnCreate() {
    // Immutability is a transition rule: it cannot fire without an old object.
    assertEquals(List.of(), CRD.validate(CANARY.with("spec.scriptName", "other").toMap()));
  }

  @Test
  void defaultsStrategyForceAndSuspendFromTheSchema() {
    Admission admission = CRD.admit(null, CANARY.toMap(), FieldValidation.STRICT);
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) admission.stored().get("spec");
    assertEquals("percentage", spec.get("strategy"));
    assertEquals(false, spec.get("force"));
    assertEquals(false, spec.get("suspend"));
  }

  @Test
  void prunesUnknownSecretNamespaceWhenFieldValidationIsIgnore() {
    Manifest withNamespace = CANARY.with("spec.auth.apiTokenSecretRef.namespace", "kube-system");
    Admission ignored = CRD.admit(null, withNamespace.toMap(), FieldValidation.IGNORE);
    assertTrue(ignored.admitted(), () -> ignored.errors().toString());
    assertEquals(
        Map.of("name", "cloudflare-api", "key", "token"),
        path(ignored.stored(), "spec", "auth", "apiTokenSecretRef"));

    Admission warned = CRD.admit(null, withNamespace.toMap(), FieldValidation.WARN);
    assertEquals(
        List.of("unknown field \"spec.auth.apiTokenSecretRef.namespace\""), warned.warnings());
    assertFalse(
        path(warned.stored(), "spec", "auth", "apiTokenSecretRef").containsKey("namespace"));
  }

  @Test
  void skipsCelRulesWhenTheSchemaReportsABlockingError() {
    // The sum rule would fail too, but like the apiserver the validator does not evaluate rules
    // over a value of the wrong type; it says so instead.
    List<String> errors =
        CRD.validate(
            CANARY
                .with("spec.versions[0].percentage", "ninety")
                .with("spec.versions[1].percentage", 50)
                .toMap());
    assertEquals(2, errors.size(), errors::toString);
    assertTrue(errors.get(0).startsWith("spec.versions[0].percentage: Invalid value: \"string\""));
    assertTrue(errors.get(1).contains("some validation rules were not checked"));
  }

  @Test
  void reportsEveryFailedRuleAndSchemaErrorTogether() {
    List<String> errors =
        CRD.validate(
            CANARY
                .with("spec.versions[1]", Map.of("versionId", V1, "percentage", 5))
                .with("spec.accountId", "")
                .toMap());
    assertEquals(
        List.of(
            "spec.accountId: Invalid value: \"\": spec.accountId in body should be at least 1 chars"
                + " long",
            "spec.accountId: Invalid value: \"\": spec.accountId in body should match"
                + " '^[0-9a-f]+$'",
            "spec.versions: Invalid value: \"array\": spec.versions: each versionId may appear only"
                + " once",
            "spec.versions: Invalid value: \"array\": spec.versions: percentages must add up to 100"
                + " (±0.001)"),
        errors.stream().sorted().toList());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> path(Map<String, Object> object, String... keys) {
    Map<String, Object> node = object;
    for (String key : keys) {
      node = (Map<String, Object>) node.get(key);
    }
    return node;
  }
}
