package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.CloudflareAuth;
import io.cfworkers.operator.api.v1alpha1.SecretKeyRef;
import io.cfworkers.operator.cloudflare.Credential;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns {@code spec.auth} and the Secret it names into a {@link Credential}. Pure. Failure messages
 * name the Secret and key, never a value.
 */
public final class CredentialResolver {
  private CredentialResolver() {}

  /** The outcome: a credential, or why there is none. */
  public sealed interface Resolution permits Found, Missing {}

  public record Found(Credential credential) implements Resolution {}

  public record Missing(String message) implements Resolution {}

  /** The one Secret the auth block refers to, or empty when the block names none. */
  public static Optional<SecretKeyRef> secretRef(CloudflareAuth auth) {
    if (auth == null) {
      return Optional.empty();
    }
    if (auth.getApiTokenSecretRef() != null) {
      return Optional.of(auth.getApiTokenSecretRef());
    }
    return Optional.ofNullable(auth.getApiKeySecretRef());
  }

  /**
   * @param namespace the resource's namespace, where the Secret must live
   * @param secret the Secret named by the auth block, if it exists
   */
  public static Resolution resolve(CloudflareAuth auth, String namespace, Optional<Secret> secret) {
    Optional<SecretKeyRef> ref = secretRef(auth);
    if (ref.isEmpty()) {
      return new Missing(
          "spec.auth must name a Secret: set apiTokenSecretRef, or email and apiKeySecretRef");
    }
    String field =
        auth.getApiTokenSecretRef() != null
            ? "spec.auth.apiTokenSecretRef"
            : "spec.auth.apiKeySecretRef";
    return readValue(
        ref.get(),
        field,
        namespace,
        secret,
        value -> {
          if (auth.getApiTokenSecretRef() != null) {
            return new Found(Credential.apiToken(value));
          }
          if (auth.getEmail() == null || !headerSafe(auth.getEmail().strip())) {
            return new Missing(
                "spec.auth.email must be a plain e-mail address with spec.auth.apiKeySecretRef");
          }
          return new Found(Credential.apiKey(auth.getEmail().strip(), value));
        });
  }

  /**
   * The API token for analytics queries: from {@code spec.rollout.analysis.analyticsTokenSecretRef}
   * when it is set ({@code ref} not null), else {@code fallback}, the credential of spec.auth.
   */
  public static Resolution resolveAnalytics(
      SecretKeyRef ref, String namespace, Optional<Secret> secret, Credential fallback) {
    if (ref == null) {
      return new Found(fallback);
    }
    return readValue(
        ref,
        "spec.rollout.analysis.analyticsTokenSecretRef",
        namespace,
        secret,
        value -> new Found(Credential.apiToken(value)));
  }

  /**
   * The Secret key's value, trimmed, handed to {@code credential}; or why it cannot be read, naming
   * {@code field}.
   */
  private static Resolution readValue(
      SecretKeyRef r,
      String field,
      String namespace,
      Optional<Secret> secret,
      Function<String, Resolution> credential) {
    String where = "Secret " + namespace + "/" + r.getName();
    if (secret.isEmpty()) {
      return new Missing(where + " not found (" + field + ".name)");
    }
    String encoded = secret.get().getData() == null ? null : secret.get().getData().get(r.getKey());
    if (encoded == null) {
      return new Missing(where + " has no key \"" + r.getKey() + "\" (" + field + ".key)");
    }
    String value;
    try {
      value = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8).strip();
    } catch (IllegalArgumentException e) {
      return new Missing("key \"" + r.getKey() + "\" of " + where + " is not valid base64");
    }
    if (value.isEmpty()) {
      return new Missing("key \"" + r.getKey() + "\" of " + where + " is empty");
    }
    if (!headerSafe(value)) {
      return new Missing(
          "key \""
              + r.getKey()
              + "\" of "
              + where
              + " contains characters an HTTP header cannot carry (whitespace, control or"
              + " non-ASCII characters inside the value)");
    }
    return credential.apply(value);
  }

  /** Visible ASCII only: what a token, key or e-mail can be, and what a header can carry. */
  private static boolean headerSafe(String value) {
    return !value.isEmpty() && value.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
  }
}
