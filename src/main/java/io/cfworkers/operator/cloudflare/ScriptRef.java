package io.cfworkers.operator.cloudflare;

import java.util.Objects;

/** A Worker script in a Cloudflare account: the target of every deployments call. */
public record ScriptRef(String accountId, String scriptName) {
  public ScriptRef {
    Objects.requireNonNull(accountId, "accountId");
    Objects.requireNonNull(scriptName, "scriptName");
  }

  @Override
  public String toString() {
    return accountId + "/" + scriptName;
  }
}
