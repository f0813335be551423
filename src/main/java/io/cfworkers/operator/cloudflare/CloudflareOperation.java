package io.cfworkers.operator.cloudflare;

import java.util.Locale;

/**
 * The calls the clients make to Cloudflare. The {@link #tag()} names the call in metrics; the error
 * mapper uses the operation to tell what a bare 404 refers to.
 */
public enum CloudflareOperation {
  LIST_DEPLOYMENTS("GET"),
  CREATE_DEPLOYMENT("POST"),
  GET_DEPLOYMENT("GET"),
  DELETE_DEPLOYMENT("DELETE"),
  LIST_VERSIONS("GET"),
  GET_VERSION("GET"),
  /** The per-version health query of the GraphQL Analytics API. */
  ANALYTICS_VERSION_HEALTH("POST"),
  /** The introspection of the analytics dataset's dimensions. */
  ANALYTICS_DIMENSIONS("POST");

  private final String method;

  CloudflareOperation(String method) {
    this.method = method;
  }

  /** The HTTP method of this call. */
  public String method() {
    return method;
  }

  /** The metric tag value, e.g. {@code create_deployment}. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
