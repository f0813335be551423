package io.cfworkers.operator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code kubectl} binary, run against one kubeconfig from the project directory, with a
 * private discovery cache. For the sandbox tests.
 */
record Kubectl(Path binary, Path kubeconfig, Path workDir, Path projectDir) {
  private static final long TIMEOUT_SECONDS = 90;

  /** What one kubectl command did. */
  record Result(List<String> args, int exit, String out, String err) {
    Result assertOk() {
      assertEquals(0, exit, "kubectl " + args + " failed:\n" + err + "\n" + out);
      return this;
    }

    Result assertOutContains(String text) {
      assertTrue(out.contains(text), "kubectl " + args + " printed:\n" + out);
      return this;
    }
  }

  /** kubectl as found on the PATH, if any. */
  static Optional<Path> onPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, "kubectl");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  Result run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.add("--cache-dir=" + workDir.resolve("kubectl-cache"));
    command.addAll(List.of(args));
    try {
      Path out = Files.createTempFile(workDir, "kubectl-out", ".txt");
      Path err = Files.createTempFile(workDir, "kubectl-err", ".txt");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(projectDir.toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      builder.environment().put("KUBECONFIG", kubeconfig.toString());
      Process process = builder.start();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(
            "kubectl " + List.of(args) + " did not finish in " + TIMEOUT_SECONDS + " s");
      }
      return new Result(
          List.of(args), process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
