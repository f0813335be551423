package io.cfworkers.operator.cloudflare;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The credential one API call is made with: an API token ({@code Authorization: Bearer}), or the
 * legacy pair of account e-mail and global API key. {@link #id()} names the credential without
 * revealing it (it is a short hash), and is what rate limits, metrics and logs use; {@link
 * #toString()} never shows the secret.
 */
public sealed interface Credential permits Credential.ApiToken, Credential.ApiKey {

  /** A stable, non-secret name for this credential, e.g. {@code token:3f2a9c1b}. */
  String id();

  static Credential apiToken(String token) {
    return new ApiToken(token);
  }

  static Credential apiKey(String email, String key) {
    return new ApiKey(email, key);
  }

  /** An API token, sent as {@code Authorization: Bearer <token>}. */
  final class ApiToken implements Credential {
    private final String token;
    private final String id;

    private ApiToken(String token) {
      this.token = requireNonBlank(token, "API token");
      this.id = "token:" + fingerprint(token);
    }

    /** The secret itself; for the HTTP layer only. */
    public String token() {
      return token;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ApiToken other && token.equals(other.token);
    }

    @Override
    public int hashCode() {
      return token.hashCode();
    }

    @Override
    public String toString() {
      return "ApiToken[" + id + "]";
    }
  }

  /** The legacy global API key, sent as {@code X-Auth-Email} and {@code X-Auth-Key}. */
  final class ApiKey implements Credential {
    private final String email;
    private final String key;
    private final String id;

    private ApiKey(String email, String key) {
      this.email = requireNonBlank(email, "e-mail");
      this.key = requireNonBlank(key, "API key");
      this.id = "key:" + fingerprint(email + "\n" + key);
    }

    public String email() {
      return email;
    }

    /** The secret itself; for the HTTP layer only. */
    public String key() {
      return key;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ApiKey other && email.equals(other.email) && key.equals(other.key);
    }

    @Override
    public int hashCode() {
      return Objects.hash(email, key);
    }

    @Override
    public String toString() {
      return "ApiKey[" + id + ", email=" + email + "]";
    }
  }

  private static String requireNonBlank(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    return value;
  }

  private static String fingerprint(String secret) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
