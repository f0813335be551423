package io.cfworkers.operator.argocd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * Runs the chart's Argo CD resource actions in Argo CD's Lua sandbox ({@link ArgoCdLua}) against
 * the fixtures listed in action_test.yaml: which actions discovery.lua enables in each rollout
 * state, and what each action returns.
 */
class ArgoCdActionsTest {
  static final Path ACTIONS = Path.of("helm", "worker-deployment-operator", "argocd", "actions");
  static final List<String> ACTION_NAMES = List.of("promote", "promote-full", "abort", "retry");
  private static final Path FIXTURES = Path.of("src", "test", "resources", "argocd", "actions");
  private static final ZoneId SERVER_ZONE = ZoneId.of("Europe/Berlin");

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> tests(String kind) throws IOException {
    Map<String, List<Map<String, Object>>> file =
        Serialization.unmarshal(Files.readString(FIXTURES.resolve("action_test.yaml")), Map.class);
    return file.get(kind);
  }

  static Stream<Arguments> discoveryTests() throws IOException {
    return tests("discoveryTests").stream()
        .map(t -> Arguments.of(t.get("inputPath"), new TreeSet<>((List<?>) t.get("enabled"))));
  }

  static Stream<Arguments> actionTests() throws IOException {
    return tests("actionTests").stream()
        .map(
            t ->
                Arguments.of(
                    t.get("action") + " on " + t.get("inputPath"),
                    t.get("action"),
                    t.get("inputPath"),
                    t.get("now"),
                    t.get("value")));
  }

  @ParameterizedTest(name = "{0} enables {1}")
  @MethodSource("discoveryTests")
  void discoveryEnablesActionsThatMakeSenseInThisState(String inputPath, Set<String> enabled)
      throws IOException {
    Map<String, Map<String, Object>> actions = discover(read(inputPath));

    assertEquals(Set.copyOf(ACTION_NAMES), actions.keySet(), "every action is always listed");
    Set<String> actuallyEnabled =
        actions.entrySet().stream()
            .filter(a -> !Boolean.TRUE.equals(a.getValue().get("disabled")))
            .map(Map.Entry::getKey)
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(enabled, actuallyEnabled, inputPath);
  }

  @Test
  void everyActionHasAnIconAndADisplayNameAndAScript() throws IOException {
    Map<String, Map<String, Object>> actions =
        discover(read("../health/testdata/rollout_waiting_for_promote.yaml"));

    for (String name : ACTION_NAMES) {
      Map<String, Object> action = actions.get(name);
      assertTrue(
          ((String) action.get("iconClass")).startsWith("fa fa-fw fa-"), name + " iconClass");
      assertTrue(!((String) action.get("displayName")).isBlank(), name + " displayName");
      assertTrue(Files.isRegularFile(script(name)), "no script for " + name);
    }
    try (Stream<Path> dirs = Files.list(ACTIONS)) {
      Set<String> scripted =
          dirs.filter(Files::isDirectory)
              .map(d -> d.getFileName().toString())
              .collect(Collectors.toSet());
      assertEquals(Set.copyOf(ACTION_NAMES), scripted, "an action.lua that discovery never lists");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("actionTests")
  void actionSetsOnlyItsAnnotationToANewValue(
      String description, String action, String inputPath, String now, String value)
      throws IOException {
    Map<String, Object> input = read(inputPath);

    Map<String, Object> output = act(action, input, clockAt(now));

    Map<String, Object> expected = roundTrip(input);
    annotations(expected).put("cfworkers.io/" + action, value);
    assertEquals(expected, output);
    assertNotEquals(
        annotations(roundTrip(input)).get("cfworkers.io/" + action),
        annotations(output).get("cfworkers.io/" + action),
        "the operator handles only a new value");
  }

  @Test
  void requestsRepeatedWithinOneSecondAreEachANewValue() throws IOException {
    Clock clock = clockAt("2026-11-28T12:30:00Z");
    Map<String, Object> resource = read("../health/testdata/rollout_waiting_for_promote.yaml");

    for (int click = 1; click <= 4; click++) {
      Map<String, Object> after = act("promote", resource, clock);
      Object before = annotations(roundTrip(resource)).get("cfworkers.io/promote");
      assertNotEquals(before, annotations(after).get("cfworkers.io/promote"), "click " + click);
      resource = after;
    }
  }

  @Test
  void actionsRunAtTheRealTimeGiveAnRfc3339UtcTimestamp() throws IOException {
    Instant before = Instant.now().minusSeconds(1);
    Map<String, Object> output =
        act(
            "abort",
            read("../health/testdata/rollout_stepping.yaml"),
            Clock.system(ZoneId.of("America/Los_Angeles")));

    Instant requested = Instant.parse((String) annotations(output).get("cfworkers.io/abort"));
    assertTrue(!requested.isBefore(before) && !requested.isAfter(Instant.now()), requested + "");
  }

  private static Clock clockAt(String utc) {
    return Clock.fixed(Instant.parse(utc), SERVER_ZONE);
  }

  private static Path script(String action) {
    return ACTIONS.resolve(action).resolve("action.lua");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> read(String inputPath) throws IOException {
    return Serialization.unmarshal(Files.readString(FIXTURES.resolve(inputPath)), Map.class);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> discover(Map<String, Object> resource)
      throws IOException {
    LuaValue result = ArgoCdLua.run(ACTIONS.resolve("discovery.lua"), resource, Clock.systemUTC());
    assertTrue(result instanceof LuaTable, "discovery.lua returns a table");
    return (Map<String, Map<String, Object>>) ArgoCdLua.fromLua(result, Map.of());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> act(String action, Map<String, Object> resource, Clock clock)
      throws IOException {
    LuaValue result = ArgoCdLua.run(script(action), resource, clock);
    assertTrue(result instanceof LuaTable, action + " returns the resource");
    return (Map<String, Object>) ArgoCdLua.fromLua(result, resource);
  }

  /** The resource as it comes back from Lua unchanged (whole numbers as longs). */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> roundTrip(Map<String, Object> resource) {
    return (Map<String, Object>) ArgoCdLua.fromLua(ArgoCdLua.toLua(resource), resource);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> annotations(Map<String, Object> resource) {
    Map<String, Object> metadata = (Map<String, Object>) resource.get("metadata");
    return (Map<String, Object>)
        metadata.computeIfAbsent("annotations", k -> new LinkedHashMap<String, Object>());
  }
}
