package io.cfworkers.operator.sandbox;

import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.cloudflare.VersionSeed;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The demo data the sandbox seeds into the fake Cloudflare API, taken from the repository's
 * examples so that they work unmodified: the account and script of {@code
 * examples/workerdeployment-canary.yaml}, its two versions plus a third, newer one, the targets of
 * the rollout examples ({@link #ROLLOUT_EXAMPLES}) as two newer still, and the token of {@code
 * examples/cloudflare-api-token-secret.yaml}. The script is already live on the first version,
 * deployed "with wrangler", as a script is before anyone installs the operator. Each version
 * carries a tag ({@link #TAGS}, as {@code wrangler versions upload --tag} sets it), which {@code
 * examples/workerdeployment-tags.yaml} names.
 *
 * <p>For rollout analysis the script receives {@link #TRAFFIC_PER_MINUTE} requests a minute in the
 * fake's analytics, split by whatever deployment is live; versions #1 and #2 fail {@link
 * #HEALTHY_ERROR_RATE}% of their requests and #3 fails {@link #THIRD_VERSION_ERROR_RATE}%, so a
 * rollout analysed with the defaults (at most 1% errors) completes with #2 and aborts with #3.
 */
public record DemoAccount(
    String accountId,
    String scriptName,
    String token,
    String email,
    List<String> versionIds,
    List<String> versionTags,
    String initialDeploymentId) {

  /** A third version, newer than the examples' two, for trying a rollout of one's own. */
  static final String THIRD_VERSION = "5f0c9a2e-3b1d-4e6f-8a7b-9c0d1e2f3a4b";

  static final String EMAIL = "demo@example.com";

  /**
   * The rollout examples, in the order a session applies them; the target of each (its one version)
   * is seeded as a version newer than all before it.
   */
  static final List<String> ROLLOUT_EXAMPLES =
      List.of(
          "examples/workerdeployment-rollout.yaml", "examples/workerdeployment-rollout-next.yaml");

  /** Requests a minute the demo script receives in the fake's analytics. */
  static final double TRAFFIC_PER_MINUTE = 1200;

  /** Percent of requests versions #1 and #2 fail with a runtime error. */
  static final double HEALTHY_ERROR_RATE = 0.1;

  /** Percent of requests version #3 fails: well above the default maxErrorRate of 1%. */
  static final double THIRD_VERSION_ERROR_RATE = 8;

  /** The tags of the demo versions, oldest first. */
  static final List<String> TAGS =
      List.of(
          "release-2026.10",
          "release-2026.11",
          "release-2026.12",
          "release-2027.01",
          "release-2027.02");

  /** Reads the examples under {@code projectDir} and seeds {@code fake} with them. */
  static DemoAccount seed(FakeCloudflare fake, Path projectDir) {
    Map<String, Object> canary =
        Json.readYaml(projectDir.resolve("examples/workerdeployment-canary.yaml"));
    Map<String, Object> secret =
        Json.readYaml(projectDir.resolve("examples/cloudflare-api-token-secret.yaml"));
    String account = (String) Json.at(canary, "spec.accountId");
    String script = (String) Json.at(canary, "spec.scriptName");
    String token = (String) Json.at(secret, "stringData.token");
    List<String> versions = new ArrayList<>();
    for (Object v : (List<?>) Json.at(canary, "spec.versions")) {
      versions.add((String) Json.map(v).get("versionId"));
    }
    versions.add(THIRD_VERSION);
    for (String example : ROLLOUT_EXAMPLES) {
      Map<String, Object> rollout = Json.readYaml(projectDir.resolve(example));
      List<?> target = (List<?>) Json.at(rollout, "spec.versions");
      versions.add((String) Json.map(target.get(0)).get("versionId"));
    }
    if (versions.size() != TAGS.size()) {
      throw new IllegalStateException(
          "the examples name "
              + versions.size()
              + " demo versions, there are "
              + TAGS.size()
              + " tags");
    }

    fake.addToken(token, EMAIL, account);
    fake.addScript(account, script);
    Instant now = Instant.now();
    for (int i = 0; i < versions.size(); i++) {
      fake.addVersion(
          account,
          script,
          VersionSeed.defaults()
              .withId(versions.get(i))
              .withCreatedOn(now.minus(Duration.ofDays(versions.size() - i)))
              .withAuthorEmail(EMAIL)
              .withMessage("Release " + TAGS.get(i).substring("release-".length()))
              .withTag(TAGS.get(i))
              .withSource("wrangler"));
    }
    fake.analytics().setTraffic(account, script, TRAFFIC_PER_MINUTE);
    for (int i = 0; i < versions.size(); i++) {
      fake.analytics()
          .setErrorRate(
              versions.get(i),
              versions.get(i).equals(THIRD_VERSION)
                  ? THIRD_VERSION_ERROR_RATE
                  : HEALTHY_ERROR_RATE);
    }
    Deployment live =
        fake.seedDeployment(
            account,
            script,
            List.of(new DeploymentVersion(versions.get(0), 100)),
            "wrangler",
            EMAIL,
            "Deployed with wrangler");
    return new DemoAccount(account, script, token, EMAIL, List.copyOf(versions), TAGS, live.id());
  }
}
