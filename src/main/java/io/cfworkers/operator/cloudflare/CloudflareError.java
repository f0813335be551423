package io.cfworkers.operator.cloudflare;

import java.util.List;
import java.util.stream.Collectors;

/** One entry of a Cloudflare envelope's {@code errors[]}. */
public record CloudflareError(int code, String message) {

  /** The errors as {@code "code: message; code: message"}. */
  public static String describe(List<CloudflareError> errors) {
    return errors.stream()
        .map(e -> e.code() + ": " + e.message())
        .collect(Collectors.joining("; "));
  }
}
