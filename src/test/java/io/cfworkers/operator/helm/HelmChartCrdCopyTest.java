package io.cfworkers.operator.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Helm installs the CRD from the chart's crds/, kubectl users from crds/ at the repository root.
 * Both must be the same generated file, byte for byte.
 */
class HelmChartCrdCopyTest {
  private static final String CRD_FILE = "workerdeployments.cfworkers.io-v1.yml";
  private static final Path GENERATED = Path.of("crds", CRD_FILE);
  private static final Path CHART_COPY = RenderedChart.CHART.resolve("crds").resolve(CRD_FILE);

  @Test
  void chartShipsTheGeneratedCrdUnchanged() throws IOException {
    assertTrue(Files.isRegularFile(GENERATED), "generated CRD missing: " + GENERATED);
    assertTrue(
        Files.isRegularFile(CHART_COPY),
        () -> "the chart has no CRD; copy it: cp " + GENERATED + " " + CHART_COPY);

    assertEquals(
        -1L,
        Files.mismatch(GENERATED, CHART_COPY),
        () -> "the chart's CRD is stale; copy it: cp " + GENERATED + " " + CHART_COPY);
  }

  @Test
  void chartShipsNoOtherCrd() throws IOException {
    try (var files = Files.list(CHART_COPY.getParent())) {
      assertEquals(
          java.util.List.of(CHART_COPY.getFileName().toString()),
          files.map(f -> f.getFileName().toString()).sorted().toList());
    }
  }
}
