package io.cfworkers.operator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.tags.DesiredVersions;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** examples/workerdeployment-tags.yaml resolves, unmodified, against the sandbox's demo account. */
class DemoAccountTagsTest {
  @Test
  void theTagsExampleNamesTheSecondAndThirdDemoVersions() throws Exception {
    try (FakeCloudflare fake = FakeCloudflare.start()) {
      DemoAccount demo = DemoAccount.seed(fake, Path.of("."));
      WorkerDeployment example =
          Serialization.unmarshal(
              Files.readString(Path.of("examples/workerdeployment-tags.yaml")),
              WorkerDeployment.class);
      assertEquals(demo.accountId(), example.getSpec().getAccountId());
      assertEquals(demo.scriptName(), example.getSpec().getScriptName());

      DesiredVersions.Result result =
          DesiredVersions.resolveAll(
              example.getSpec().getVersions(), fake.versions(demo.accountId(), demo.scriptName()));

      // The live split is #1 at 100, so applying the example creates one deployment.
      assertEquals(
          List.of(
              new VersionTraffic(demo.versionIds().get(1), 90.0),
              new VersionTraffic(demo.versionIds().get(2), 10.0)),
          assertInstanceOf(DesiredVersions.Resolved.class, result).versions());
    }
  }
}
