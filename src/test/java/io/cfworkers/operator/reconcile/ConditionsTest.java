package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
  private static final Instant T1 = Instant.parse("2026-11-28T12:05:00Z");

  @Test
  void setsAllThreeConditionsWithReasonAndGeneration() {
    List<Condition> c =
        Conditions.apply(null, Conditions.State.reconciling("Deploying", "m"), 3, T0);
    assertEquals(
        List.of("Ready", "Reconciling", "Stalled"), c.stream().map(Condition::getType).toList());
    assertEquals(List.of("False", "True", "False"), c.stream().map(Condition::getStatus).toList());
    assertTrue(
        c.stream()
            .allMatch(x -> x.getObservedGeneration() == 3 && "Deploying".equals(x.getReason())));
    assertTrue(c.stream().allMatch(x -> "2026-11-28T12:00:00Z".equals(x.getLastTransitionTime())));
  }

  @Test
  void lastTransitionTimeMovesOnlyWhenStatusMoves() {
    List<Condition> before =
        Conditions.apply(null, Conditions.State.reconciling("Deploying", "m"), 1, T0);
    List<Condition> after =
        Conditions.apply(before, Conditions.State.ready("Deployed", "done"), 1, T1);
    assertEquals(
        "2026-11-28T12:05:00Z", Conditions.find(after, "Ready").get().getLastTransitionTime());
    assertEquals(
        "2026-11-28T12:05:00Z",
        Conditions.find(after, "Reconciling").get().getLastTransitionTime());
    // Stalled stayed False: its transition time stays.
    assertEquals(
        "2026-11-28T12:00:00Z", Conditions.find(after, "Stalled").get().getLastTransitionTime());
    // Same status, new reason: time stays.
    List<Condition> again =
        Conditions.apply(after, Conditions.State.ready("Adopted", "x"), 2, T1.plusSeconds(60));
    assertEquals(
        "2026-11-28T12:05:00Z", Conditions.find(again, "Ready").get().getLastTransitionTime());
    assertEquals("Adopted", Conditions.find(again, "Ready").get().getReason());
  }

  @Test
  void sameStateTwiceGivesEqualConditions() {
    List<Condition> once = Conditions.apply(null, Conditions.State.ready("Deployed", "m"), 1, T0);
    List<Condition> twice = Conditions.apply(once, Conditions.State.ready("Deployed", "m"), 1, T1);
    assertEquals(once, twice);
  }

  @Test
  void keepsConditionsOfOtherTypes() {
    Condition foreign = new ConditionBuilder().withType("Custom").withStatus("True").build();
    List<Condition> c =
        Conditions.apply(List.of(foreign), Conditions.State.stalled("ScriptNotFound", "m"), 1, T0);
    assertEquals(4, c.size());
    assertTrue(Conditions.isTrue(c, "Stalled"));
    assertTrue(Conditions.isTrue(c, "Custom"));
  }
}
