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
import java.util.stream.IntStream;
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

  static final Map<String, Object> TWO_STEPS =
      Map.of(
          "steps",
          List.of(
              Map.of("weight", 10, "pause", Map.of("duration", "10m")),
              Map.of("weight", 50, "pause", Map.of())),
          "progressDeadline",
          "30m");

  static final Manifest ROLLOUT = SINGLE.with("spec.rollout", TWO_STEPS);

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
        Arguments.of("rollout: two steps, a timed and an indefinite pause", ROLLOUT),
        Arguments.of(
            "rollout: one step without a pause and no deadline",
            ROLLOUT
                .with("spec.rollout.steps", List.of(Map.of("weight", 25)))
                .without("spec.rollout.progressDeadline")),
        Arguments.of(
            "rollout: ten steps from 0.01 to 99.99",
            ROLLOUT.with(
                "spec.rollout.steps",
                List.of(
                    Map.of("weight", 0.01),
                    Map.of("weight", 1),
                    Map.of("weight", 5),
                    Map.of("weight", 10),
                    Map.of("weight", 20),
                    Map.of("weight", 30),
                    Map.of("weight", 50),
                    Map.of("weight", 75),
                    Map.of("weight", 90),
                    Map.of("weight", 99.99)))),
        Arguments.of(
            "rollout: durations 1h30m, 20s, 1.5h and 500ms",
            ROLLOUT
                .with("spec.rollout.steps[0].pause.duration", "1h30m")
                .with("spec.rollout.steps[1].pause.duration", "20s")
                .with(
                    "spec.rollout.steps[2]",
                    Map.of("weight", 60, "pause", Map.of("duration", "1.5h")))
                .with("spec.rollout.progressDeadline", "500ms")),
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
            "spec.versions: Invalid value: \"array\": each versionId may appear only once"),
        bad(
            "neither versionId nor versionTag",
            CANARY.without("spec.versions[0].versionId"),
            "spec.versions: Invalid value: \"array\": each entry needs exactly one"
                + " of versionId or versionTag"),
        // versions: tags
        bad(
            "both versionId and versionTag",
            CANARY.with("spec.versions[0].versionTag", "release-2026.11"),
            "spec.versions: Invalid value: \"array\": each entry needs exactly one"
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
            "spec.versions[0].versionTag: Invalid value: \"string\": may be at most 100 bytes of"
                + " UTF-8"),
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
            "spec.versions: Invalid value: \"array\": each versionTag may appear" + " only once"),
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
            "spec.versions: Invalid value: \"array\": percentages must add up to 100 (±0.001),"
                + " they add up to 99.9"),
        bad(
            "sum 100.01",
            CANARY.with("spec.versions[0].percentage", 90.01),
            "spec.versions: Invalid value: \"array\": percentages must add up to 100 (±0.001),"
                + " they add up to 100.01"),
        bad(
            "single version at 99",
            SINGLE.with("spec.versions[0].percentage", 99),
            "spec.versions: Invalid value: \"array\": percentages must add up to 100 (±0.001),"
                + " they add up to 99"),
        bad(
            "sum 99.998 just outside the tolerance",
            CANARY.with("spec.versions[0].percentage", 89.998),
            "spec.versions: Invalid value: \"array\": percentages must add up to 100 (±0.001),"
                + " they add up to 99.998"),
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
            "spec.versions[0].versionId: Invalid value: \"string\": must be a lowercase UUID, e.g."
                + " 182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e"),
        bad(
            "versionId in uppercase",
            SINGLE.with("spec.versions[0].versionId", V1.toUpperCase()),
            "spec.versions[0].versionId: Invalid value: \"string\": must be a lowercase UUID"),
        bad(
            "versionId without dashes",
            SINGLE.with("spec.versions[0].versionId", V1.replace("-", "")),
            "spec.versions[0].versionId: Invalid value: \"string\": must be a lowercase UUID"),
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
            "spec.message: Invalid value: \"string\": may be at most 100 bytes of UTF-8, it has"
                + " 102; shorten it"),
        bad(
            "message of 26 emoji is 104 bytes",
            CANARY.with("spec.message", "🚀".repeat(26)),
            "spec.message: Invalid value: \"string\": may be at most 100 bytes of UTF-8, it has"
                + " 104; shorten it"),
        bad(
            "message is a number",
            CANARY.with("spec.message", 42),
            "spec.message: Invalid value: \"integer\": spec.message in body must be of type"
                + " string: \"integer\""),
        // target
        bad(
            "empty accountId",
            CANARY.with("spec.accountId", ""),
            "spec.accountId: Invalid value: \"string\": must be a Cloudflare account id: 32"
                + " lowercase hexadecimal characters, as in the dashboard URL"),
        bad(
            "31-character accountId",
            CANARY.with("spec.accountId", "0".repeat(31)),
            "spec.accountId: Invalid value: \"string\": must be a Cloudflare account id: 32"
                + " lowercase hexadecimal characters"),
        bad(
            "accountId in uppercase",
            CANARY.with("spec.accountId", "023E105F4ECEF8AD9CA31A8372D0C353"),
            "spec.accountId: Invalid value: \"string\": must be a Cloudflare account id: 32"
                + " lowercase hexadecimal characters"),
        bad(
            "33-character accountId",
            CANARY.with("spec.accountId", "0".repeat(33)),
            "spec.accountId: Too long: may not be longer than 32"),
        bad(
            "accountId with a path separator",
            CANARY.with("spec.accountId", "023e105f/../x"),
            "spec.accountId: Invalid value: \"string\": must be a Cloudflare account id"),
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
            "spec.scriptName: Invalid value: \"string\": must be a Worker script name: lowercase"
                + " letters, digits, '-' and '_'"),
        bad(
            "scriptName with a slash",
            CANARY.with("spec.scriptName", "checkout/../admin"),
            "spec.scriptName: Invalid value: \"string\": must be a Worker script name"),
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
            "spec.auth: Invalid value: \"object\": set exactly one authentication method:"
                + " apiTokenSecretRef, or email together with apiKeySecretRef"),
        bad(
            "neither auth method",
            CANARY.with("spec.auth", Map.of()),
            "spec.auth: Invalid value: \"object\": set exactly one authentication method:"
                + " apiTokenSecretRef, or email together with apiKeySecretRef"),
        bad(
            "email without apiKeySecretRef",
            LEGACY_AUTH.without("spec.auth.apiKeySecretRef"),
            "spec.auth: Invalid value: \"object\": email and apiKeySecretRef must be"
                + " set together (legacy global API key authentication)"),
        bad(
            "apiKeySecretRef without email",
            LEGACY_AUTH.without("spec.auth.email"),
            "spec.auth: Invalid value: \"object\": email and apiKeySecretRef must be"
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
        // rollout
        bad(
            "rollout with two versions",
            CANARY.with("spec.rollout", TWO_STEPS),
            "spec: Invalid value: \"object\": spec.rollout requires spec.versions to hold exactly"
                + " one version at percentage 100: the version to roll out"),
        bad(
            "rollout with its version at 99.9995",
            ROLLOUT.with("spec.versions[0].percentage", 99.9995),
            "spec: Invalid value: \"object\": spec.rollout requires spec.versions to hold exactly"
                + " one version at percentage 100: the version to roll out"),
        bad(
            "rollout without steps",
            ROLLOUT.without("spec.rollout.steps"),
            "spec.rollout.steps: Required value"),
        bad(
            "rollout with zero steps",
            ROLLOUT.with("spec.rollout.steps", List.of()),
            "spec.rollout.steps: Invalid value: 0: spec.rollout.steps in body should have at least"
                + " 1 items"),
        bad(
            "rollout with eleven steps",
            ROLLOUT.with(
                "spec.rollout.steps",
                IntStream.rangeClosed(1, 11).mapToObj(i -> Map.of("weight", i * 5)).toList()),
            "spec.rollout.steps: Too many: 11: must have at most 10 items"),
        bad(
            "rollout weights decreasing",
            ROLLOUT.with("spec.rollout.steps[1].weight", 5),
            "spec.rollout.steps: Invalid value: \"array\": weights must be"
                + " strictly increasing"),
        bad(
            "rollout weights equal",
            ROLLOUT.with("spec.rollout.steps[1].weight", 10),
            "spec.rollout.steps: Invalid value: \"array\": weights must be"
                + " strictly increasing"),
        bad(
            "rollout weights decreasing at the tenth step",
            ROLLOUT.with(
                "spec.rollout.steps",
                IntStream.rangeClosed(1, 10)
                    .mapToObj(i -> Map.of("weight", i == 10 ? 1 : i * 5))
                    .toList()),
            "spec.rollout.steps: Invalid value: \"array\": weights must be"
                + " strictly increasing"),
        bad(
            "rollout weight 100",
            ROLLOUT.with("spec.rollout.steps[1].weight", 100),
            "spec.rollout.steps[1].weight: Invalid value: 100: spec.rollout.steps[1].weight in body"
                + " should be less than or equal to 99.99"),
        bad(
            "rollout weight 0",
            ROLLOUT.with("spec.rollout.steps[0].weight", 0),
            "spec.rollout.steps[0].weight: Invalid value: 0: spec.rollout.steps[0].weight in body"
                + " should be greater than or equal to 0.01"),
        bad(
            "rollout step without a weight",
            ROLLOUT.without("spec.rollout.steps[0].weight"),
            "spec.rollout.steps[0].weight: Required value"),
        bad(
            "pause duration in days",
            ROLLOUT.with("spec.rollout.steps[0].pause.duration", "1d"),
            "spec.rollout.steps[0].pause.duration: Invalid value: \"string\":"
                + " must be a duration such as 20s, 10m or"
                + " 1h30m (units h, m, s, ms)"),
        bad(
            "pause duration without a unit",
            ROLLOUT.with("spec.rollout.steps[0].pause.duration", "600"),
            "spec.rollout.steps[0].pause.duration: Invalid value: \"string\":"
                + " must be a duration such as 20s"),
        bad(
            "pause duration in words",
            ROLLOUT.with("spec.rollout.steps[1].pause.duration", "ten minutes"),
            "spec.rollout.steps[1].pause.duration: Invalid value: \"string\":"
                + " must be a duration such as 20s"),
        bad(
            "pause duration negative",
            ROLLOUT.with("spec.rollout.steps[0].pause.duration", "-5m"),
            "spec.rollout.steps[0].pause.duration: Invalid value: \"string\":"
                + " must be a duration such as 20s"),
        bad(
            "progressDeadline with a space",
            ROLLOUT.with("spec.rollout.progressDeadline", "30 m"),
            "spec.rollout.progressDeadline: Invalid value: \"string\":"
                + " must be a duration such as 20s, 10m or 1h30m"
                + " (units h, m, s, ms)"),
        bad(
            "pause as a string",
            ROLLOUT.with("spec.rollout.steps[0].pause", "10m"),
            "spec.rollout.steps[0].pause: Invalid value: \"string\": spec.rollout.steps[0].pause"
                + " in body must be of type object: \"string\""),
        bad(
            "misspelt field in a rollout step",
            ROLLOUT.with("spec.rollout.steps[0].setWeight", 10),
            "strict decoding error: unknown field \"spec.rollout.steps[0].setWeight\""),
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
            "spec.scriptName: Invalid value: \"string\": is immutable: another script is another"
                + " WorkerDeployment; create a new one (deleting this one leaves Cloudflare as it"
                + " is)"),
        Arguments.of(
            "changing accountId",
            (UnaryOperator<Manifest>) m -> m.with("spec.accountId", "f".repeat(32)),
            "spec.accountId: Invalid value: \"string\": is immutable: another account is another"
                + " WorkerDeployment; create a new one (deleting this one leaves Cloudflare as it"
                + " is)"));
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
                .with("spec.versions[1]", Map.of("versionId", V1, "percentage", 5.5))
                .with("spec.accountId", "")
                .toMap());
    assertEquals(
        List.of(
            "spec.accountId: Invalid value: \"string\": must be a Cloudflare account id: 32"
                + " lowercase hexadecimal characters, as in the dashboard URL",
            "spec.versions: Invalid value: \"array\": each versionId may appear only once",
            "spec.versions: Invalid value: \"array\": percentages must add up to 100 (±0.001),"
                + " they add up to 95.5"),
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
