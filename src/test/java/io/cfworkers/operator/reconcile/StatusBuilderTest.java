package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusBuilderTest {
  private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
  private static final String A = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";

  private static WorkerDeploymentStatus readyAt(long generation) {
    return StatusBuilder.from(null)
        .generation(generation)
        .live(Optional.of(SplitDiffTest.live(A, 100)))
        .conditions(Conditions.State.ready(Reasons.DEPLOYED, "done"), generation, T0)
        .build();
  }

  @Test
  void theFilledStatusSetsEveryProperty() {
    JsonNode tree = StatusFields.tree(StatusFields.filled());
    tree.fields()
        .forEachRemaining(
            e -> assertFalse(e.getValue().isNull(), e.getKey() + " is filled by the test support"));
    assertTrue(tree.has("pendingDeployment") && tree.get("pendingDeployment").has("step"));
  }

  @Test
  void everyLeafOfTheStatusCountsInEquality() throws Exception {
    WorkerDeploymentStatus full = StatusFields.filled();
    JsonNode tree = StatusFields.tree(full);
    assertEquals(full, StatusFields.filled(), "equal content is equal");
    assertEquals(full.hashCode(), StatusFields.filled().hashCode());
    List<String> leaves = StatusFields.leaves(tree, "");
    assertTrue(leaves.size() > 20, "the walk reached nested fields: " + leaves);
    for (String pointer : leaves) {
      JsonNode changed = tree.deepCopy();
      int cut = pointer.lastIndexOf('/');
      JsonNode parent = changed.at(pointer.substring(0, cut));
      String key = pointer.substring(cut + 1);
      JsonNode leaf = changed.at(pointer);
      JsonNode other =
          leaf.isTextual()
              ? TextNode.valueOf(leaf.textValue() + "'")
              : leaf.isBoolean()
                  ? BooleanNode.valueOf(!leaf.booleanValue())
                  : DoubleNode.valueOf(leaf.doubleValue() + 1);
      if (parent.isArray()) {
        ((com.fasterxml.jackson.databind.node.ArrayNode) parent).set(Integer.parseInt(key), other);
      } else {
        ((ObjectNode) parent).set(key, other);
      }
      WorkerDeploymentStatus modified =
          StatusFields.JSON.treeToValue(changed, WorkerDeploymentStatus.class);
      assertNotEquals(full, modified, "a change of " + pointer + " makes the status unequal");
    }
  }

  @Test
  void theBuilderNeverAliasesThePreviousStatus() {
    WorkerDeploymentStatus previous = StatusFields.filled();
    WorkerDeploymentStatus next = StatusBuilder.from(previous).build();
    assertEquals(previous, next);
    next.getPendingDeployment().setGeneration(99L);
    next.getConditions().clear();
    assertEquals(StatusFields.filled(), previous, "the previous status is untouched");
  }

  @Test
  void failedObservationKeepsReadyWhileTheSpecIsUnchanged() {
    WorkerDeploymentStatus next =
        StatusBuilder.from(readyAt(3))
            .conditionsKeepingReady(
                Conditions.State.reconciling(Reasons.RATE_LIMITED, "wait"), 3, T0.plusSeconds(9))
            .build();
    assertEquals("True", Conditions.find(next.getConditions(), "Ready").get().getStatus());
    assertEquals(
        Reasons.DEPLOYED, Conditions.find(next.getConditions(), "Ready").get().getReason());
    assertEquals(
        Reasons.RATE_LIMITED,
        Conditions.find(next.getConditions(), "Reconciling").get().getReason());
    assertEquals("d1", next.getDeploymentId());
  }

  @Test
  void failedObservationOfANewSpecIsNotReady() {
    WorkerDeploymentStatus next =
        StatusBuilder.from(readyAt(3))
            .conditionsKeepingReady(
                Conditions.State.reconciling(Reasons.API_UNAVAILABLE, "503"), 4, T0)
            .build();
    assertEquals("False", Conditions.find(next.getConditions(), "Ready").get().getStatus());
    assertEquals(4L, next.getObservedGeneration());
  }

  @Test
  void sameObservationTwiceIsAnEqualStatusSoNothingIsWritten() {
    WorkerDeploymentStatus once = readyAt(2);
    WorkerDeploymentStatus twice =
        StatusBuilder.from(once)
            .generation(2)
            .live(Optional.of(SplitDiffTest.live(A, 100)))
            .conditions(Conditions.State.ready(Reasons.DEPLOYED, "done"), 2, T0.plusSeconds(300))
            .build();
    assertEquals(once, twice);
  }
}
