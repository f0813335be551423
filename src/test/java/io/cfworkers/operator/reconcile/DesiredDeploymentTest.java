package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentSpec;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

class DesiredDeploymentTest {
  private static final String A = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";
  private static final String B = "7a3c0b4e-1f2d-4c5b-9e8f-0a1b2c3d4e5f";

  @Test
  void summaryIsShortIdsAtPercentages() {
    assertEquals(
        "182bd5e5@90,7a3c0b4e@10", DesiredDeployment.summary(SplitDiffTest.spec(A, 90, B, 10)));
    assertEquals(
        "182bd5e5@33.33,7a3c0b4e@66.67",
        DesiredDeployment.summary(SplitDiffTest.spec(A, 33.33, B, 66.67)));
  }

  @Test
  void requestCarriesTheSplitInSpecOrderAndTheMessage() {
    WorkerDeploymentSpec spec = new WorkerDeploymentSpec();
    spec.setVersions(SplitDiffTest.spec(B, 10, A, 90));
    spec.setMessage("Canary 10%");
    var request = DesiredSplit.fromSpec(spec).request(spec.getMessage());
    assertEquals(
        List.of(new DeploymentVersion(B, 10), new DeploymentVersion(A, 90)), request.versions());
    assertEquals("Canary 10%", request.message());
    spec.setMessage("");
    assertNull(DesiredSplit.fromSpec(spec).request(spec.getMessage()).message());
  }
}
