package io.cfworkers.operator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.cloudflare.WorkerVersion;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The rollout examples work unmodified against the sandbox's demo account: each target is a version
 * of the demo script, newer than every version before it, and not live when the sandbox starts, so
 * applying the example starts a rollout.
 */
class DemoAccountRolloutTest {
  @Test
  void eachRolloutExampleTargetsANewerDemoVersionThatIsNotLive() throws Exception {
    try (FakeCloudflare fake = FakeCloudflare.start()) {
      DemoAccount demo = DemoAccount.seed(fake, Path.of("."));
      Map<String, WorkerVersion> byId =
          fake.versions(demo.accountId(), demo.scriptName()).stream()
              .collect(Collectors.toMap(WorkerVersion::id, Function.identity()));
      assertEquals(
          List.of(new DeploymentVersion(demo.versionIds().get(0), 100)),
          fake.liveDeployment(demo.accountId(), demo.scriptName()).orElseThrow().versions());

      for (int i = 0; i < DemoAccount.ROLLOUT_EXAMPLES.size(); i++) {
        String file = DemoAccount.ROLLOUT_EXAMPLES.get(i);
        WorkerDeployment example =
            Serialization.unmarshal(Files.readString(Path.of(file)), WorkerDeployment.class);
        assertEquals(demo.accountId(), example.getSpec().getAccountId(), file);
        assertEquals(demo.scriptName(), example.getSpec().getScriptName(), file);
        String target = example.getSpec().getVersions().get(0).getVersionId();
        int index = 3 + i;
        assertEquals(demo.versionIds().get(index), target, file);
        WorkerVersion version = byId.get(target);
        assertEquals(DemoAccount.TAGS.get(index), version.tag(), file);
        WorkerVersion previous = byId.get(demo.versionIds().get(index - 1));
        assertTrue(
            version.createdOn().isAfter(previous.createdOn()),
            file + ": the target is the newest version so far");
      }
    }
  }
}
