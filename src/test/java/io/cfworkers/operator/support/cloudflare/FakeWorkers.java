package io.cfworkers.operator.support.cloudflare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.cloudflare.WorkerVersion;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The Workers side of {@link FakeCloudflare}: scripts, their versions, secrets and deployments, and
 * the REST endpoints under {@code /accounts/{account}/workers/scripts/{script}}. Times come from
 * the fake's clock. Not thread-safe: the front calls it with its lock held.
 *
 * <p>Besides the deployments list (which {@code DELETE} shortens), each script keeps its history of
 * every deployment made, oldest first ({@link #history}): what served traffic when, which {@link
 * FakeAnalytics} reads.
 */
final class FakeWorkers {

  /** A deployment may only use one of the script's this-many most recent versions. */
  static final int DEPLOYABLE_VERSIONS = FakeCloudflare.DEPLOYABLE_VERSIONS;

  static final int MAX_MESSAGE_BYTES = FakeCloudflare.MAX_MESSAGE_BYTES;
  static final int DEFAULT_PER_PAGE = 10;
  static final int MAX_PER_PAGE = 100;
  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
  private static final BigDecimal MIN_PERCENTAGE = new BigDecimal("0.01");
  private static final BigDecimal SUM_TOLERANCE = new BigDecimal("0.001");
  private static final Pattern UUID_PATTERN =
      Pattern.compile(
          "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  private static final ObjectMapper JSON = FakeCloudflare.JSON;

  private final Clock clock;
  private final Map<ScriptKey, Script> scripts = new HashMap<>();
  private boolean deployableIgnoresPagination;
  private long versionSequence;

  FakeWorkers(Clock clock) {
    this.clock = clock;
  }

  void setDeployableIgnoresPagination(boolean ignores) {
    deployableIgnoresPagination = ignores;
  }

  void reset() {
    scripts.clear();
    deployableIgnoresPagination = false;
  }

  /** Every deployment the script ever had, oldest first; empty for an unknown script. */
  List<Deployment> history(String accountId, String scriptName) {
    Script script = scripts.get(new ScriptKey(accountId, scriptName));
    return script == null ? List.of() : List.copyOf(script.history);
  }

  boolean hasScript(String accountId, String scriptName) {
    return scripts.containsKey(new ScriptKey(accountId, scriptName));
  }

  /** Serves one REST request whose credential and account were checked. */
  Reply handle(Route route, String method, Map<String, String> params, String body, String email) {
    return switch (route.kind()) {
      case DEPLOYMENTS ->
          method.equals("POST")
              ? createDeployment(route, params, body, email)
              : listDeployments(route);
      case DEPLOYMENT -> method.equals("DELETE") ? deleteDeployment(route) : getDeployment(route);
      case VERSIONS -> listVersions(route, params);
      case VERSION -> getVersion(route);
    };
  }

  /** Creates an empty script (no versions, no deployments); creates the account if needed. */
  void addScript(String accountId, String scriptName) {
    scripts.computeIfAbsent(new ScriptKey(accountId, scriptName), k -> new Script());
  }

  /** Uploads a version with a random id, the next number, created now; returns its id. */
  String addVersion(String accountId, String scriptName) {
    return addVersion(accountId, scriptName, VersionSeed.defaults());
  }

  /**
   * Uploads a version as {@code seed} describes (creating the script if needed); returns its id.
   * The version has seen the script's current secrets.
   */
  String addVersion(String accountId, String scriptName, VersionSeed seed) {
    addScript(accountId, scriptName);
    Script script = scripts.get(new ScriptKey(accountId, scriptName));
    String id = seed.id() != null ? seed.id() : UUID.randomUUID().toString();
    if (script.versions.containsKey(id)) {
      throw new IllegalArgumentException("version " + id + " exists already");
    }
    int number = seed.number() != null ? seed.number() : script.nextNumber();
    // Cloudflare keeps times to the microsecond.
    Instant createdOn =
        seed.createdOn() != null ? seed.createdOn().truncatedTo(ChronoUnit.MICROS) : now();
    WorkerVersion version =
        new WorkerVersion(
            id, number, seed.authorEmail(), createdOn, seed.source(), seed.message(), seed.tag());
    script.versions.put(
        id, new VersionState(version, ++versionSequence, new HashMap<>(script.secrets)));
    return id;
  }

  /**
   * Changes a secret of the script (creating it if new), which bumps its revision. The versions of
   * the deployment serving traffic see the new value; every other version now needs {@code
   * force=true} to be deployed.
   */
  void changeSecret(String accountId, String scriptName, String secretName) {
    Script script = requireScript(accountId, scriptName);
    script.secrets.merge(secretName, 1, Integer::sum);
    script.live().ifPresent(live -> script.refreshSecrets(live.versions()));
  }

  /** The script's versions, newest first. */
  List<WorkerVersion> versions(String accountId, String scriptName) {
    return requireScript(accountId, scriptName).versionsNewestFirst().stream()
        .map(VersionState::version)
        .toList();
  }

  /**
   * Adds a deployment as if another tool (wrangler, the dashboard) had made it: it serves traffic
   * at once, is not recorded as a request and skips validation except that the script and the
   * versions must exist.
   */
  Deployment seedDeployment(
      String accountId,
      String scriptName,
      List<DeploymentVersion> split,
      String source,
      String authorEmail,
      String message) {
    Script script = requireScript(accountId, scriptName);
    for (DeploymentVersion v : split) {
      if (!script.versions.containsKey(v.versionId())) {
        throw new IllegalArgumentException(
            "no version " + v.versionId() + " in " + accountId + "/" + scriptName);
      }
    }
    Deployment deployment =
        new Deployment(
            UUID.randomUUID().toString(),
            now(),
            source,
            "percentage",
            split,
            message,
            "deployment",
            authorEmail);
    script.deploy(deployment);
    return deployment;
  }

  /** The script's deployments, newest first (the first serves traffic). */
  List<Deployment> deployments(String accountId, String scriptName) {
    return List.copyOf(requireScript(accountId, scriptName).deployments);
  }

  /** The deployment serving traffic, or empty when the script has none. */
  Optional<Deployment> liveDeployment(String accountId, String scriptName) {
    return requireScript(accountId, scriptName).live();
  }

  // ---------------------------------------------------------------- endpoints

  private Reply listDeployments(Route route) {
    Script script = scripts.get(route.scriptKey());
    if (script == null) {
      return Reply.error(FakeError.SCRIPT_NOT_FOUND);
    }
    ObjectNode result = JSON.createObjectNode();
    ArrayNode items = result.putArray("deployments");
    script.deployments.forEach(d -> items.add(deploymentJson(d)));
    return Reply.ok(result);
  }

  private Reply getDeployment(Route route) {
    Script script = scripts.get(route.scriptKey());
    if (script == null) {
      return Reply.error(FakeError.SCRIPT_NOT_FOUND);
    }
    return script
        .deployment(route.id)
        .map(d -> Reply.ok(deploymentJson(d)))
        .orElseGet(() -> Reply.error(FakeError.DEPLOYMENT_NOT_FOUND));
  }

  private Reply deleteDeployment(Route route) {
    Script script = scripts.get(route.scriptKey());
    if (script == null) {
      return Reply.error(FakeError.SCRIPT_NOT_FOUND);
    }
    Optional<Deployment> deployment = script.deployment(route.id);
    if (deployment.isEmpty()) {
      return Reply.error(FakeError.DEPLOYMENT_NOT_FOUND);
    }
    if (script.deployments.get(0) == deployment.get()) {
      return Reply.error(FakeError.ACTIVE_DEPLOYMENT_NOT_DELETABLE);
    }
    script.deployments.remove(deployment.get());
    return Reply.ok(null);
  }

  private Reply listVersions(Route route, Map<String, String> query) {
    Script script = scripts.get(route.scriptKey());
    if (script == null) {
      return Reply.error(FakeError.SCRIPT_NOT_FOUND);
    }
    int page;
    int perPage;
    try {
      page = positiveInt(query, "page", 1, Integer.MAX_VALUE);
      perPage = positiveInt(query, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE);
    } catch (IllegalArgumentException e) {
      return Reply.invalid(e.getMessage());
    }
    List<VersionState> all = script.versionsNewestFirst();
    if ("true".equalsIgnoreCase(query.get("deployable"))) {
      all = all.subList(0, Math.min(all.size(), DEPLOYABLE_VERSIONS));
      boolean unpaged = !query.containsKey("page") && !query.containsKey("per_page");
      if (deployableIgnoresPagination || unpaged) {
        page = 1;
        perPage = Math.max(1, all.size());
      }
    }
    long from = (long) (page - 1) * perPage;
    List<VersionState> slice =
        from >= all.size()
            ? List.of()
            : all.subList((int) from, (int) Math.min(all.size(), from + perPage));
    ObjectNode result = JSON.createObjectNode();
    ArrayNode items = result.putArray("items");
    slice.forEach(v -> items.add(versionJson(v.version())));
    ObjectNode info = JSON.createObjectNode();
    info.put("page", page);
    info.put("per_page", perPage);
    info.put("count", slice.size());
    info.put("total_count", all.size());
    info.put("total_pages", (all.size() + perPage - 1) / perPage);
    return Reply.ok(result).withResultInfo(info);
  }

  private Reply getVersion(Route route) {
    Script script = scripts.get(route.scriptKey());
    if (script == null) {
      return Reply.error(FakeError.SCRIPT_NOT_FOUND);
    }
    VersionState version = script.versions.get(route.id);
    if (version == null) {
      return Reply.error(
          FakeError.VERSION_NOT_DEPLOYABLE,
          FakeError.VERSION_NOT_DEPLOYABLE.message(route.id, route.script));
    }
    return Reply.ok(versionDetailJson(version, script.secrets.keySet()));
  }

  private Reply createDeployment(
      Route route, Map<String, String> query, String body, String email) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return Reply.invalid("request body: malformed JSON");
    }
    if (root == null || root.isMissingNode()) {
      return Reply.invalid("request body: malformed JSON");
    }
    if (!root.isObject()) {
      return Reply.invalid("request body: must be a JSON object");
    }
    JsonNode strategy = root.get("strategy");
    if (strategy == null || !"percentage".equals(strategy.textValue())) {
      return Reply.invalid("strategy: must be \"percentage\"");
    }
    JsonNode versions = root.get("versions");
    if (versions == null || !versions.isArray() || versions.size() < 1 || versions.size() > 2) {
      return Reply.invalid("versions: must have 1 or 2 entries");
    }
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < versions.size(); i++) {
      JsonNode entry = versions.get(i);
      JsonNode id = entry.isObject() ? entry.get("version_id") : null;
      if (id == null || !id.isTextual() || !UUID_PATTERN.matcher(id.textValue()).matches()) {
        return Reply.invalid("versions[" + i + "].version_id: must be a UUID");
      }
      ids.add(id.textValue());
    }
    for (int i = 1; i < ids.size(); i++) {
      if (ids.subList(0, i).stream().anyMatch(ids.get(i)::equalsIgnoreCase)) {
        return Reply.invalid("versions[" + i + "].version_id: must differ from the other versions");
      }
    }
    BigDecimal sum = BigDecimal.ZERO;
    List<DeploymentVersion> split = new ArrayList<>();
    for (int i = 0; i < versions.size(); i++) {
      JsonNode percentage = versions.get(i).get("percentage");
      if (percentage == null || !percentage.isNumber()) {
        return Reply.invalid("versions[" + i + "].percentage: must be a number");
      }
      BigDecimal value = percentage.decimalValue();
      if (value.compareTo(MIN_PERCENTAGE) < 0 || value.compareTo(HUNDRED) > 0) {
        return Reply.invalid("versions[" + i + "].percentage: must be between 0.01 and 100");
      }
      sum = sum.add(value);
      split.add(new DeploymentVersion(ids.get(i), percentage.doubleValue()));
    }
    if (sum.subtract(HUNDRED).abs().compareTo(SUM_TOLERANCE) > 0) {
      return Reply.invalid(
          "versions: percentages must sum to 100 (±0.001), got " + sum.toPlainString());
    }
    String message = null;
    JsonNode annotations = root.get("annotations");
    if (annotations != null && !annotations.isNull()) {
      if (!annotations.isObject()) {
        return Reply.invalid("annotations: must be an object");
      }
      JsonNode text = annotations.get("workers/message");
      if (text != null && !text.isNull()) {
        if (!text.isTextual()) {
          return Reply.invalid("annotations.workers/message: must be a string");
        }
        message = truncateUtf8(text.textValue(), MAX_MESSAGE_BYTES);
      }
      // workers/triggered_by is server-set: whatever the client sent is ignored.
    }

    Script script = scripts.get(route.scriptKey());
    if (script == null) {
      return Reply.error(FakeError.SCRIPT_NOT_FOUND);
    }
    Set<String> deployable =
        new HashSet<>(
            script.versionsNewestFirst().stream()
                .limit(DEPLOYABLE_VERSIONS)
                .map(v -> v.version().id())
                .toList());
    for (String id : ids) {
      if (!deployable.contains(id)) {
        return Reply.error(
            FakeError.VERSION_NOT_DEPLOYABLE,
            FakeError.VERSION_NOT_DEPLOYABLE.message(id, route.script));
      }
    }
    boolean force = "true".equalsIgnoreCase(query.get("force"));
    if (!force) {
      Set<String> changed = new TreeSet<>();
      for (String id : ids) {
        changed.addAll(script.changedSecrets(script.versions.get(id)));
      }
      if (!changed.isEmpty()) {
        return Reply.error(
            FakeError.SECRET_CHANGED, FakeError.SECRET_CHANGED.message(String.join(", ", changed)));
      }
    }
    Deployment deployment =
        new Deployment(
            UUID.randomUUID().toString(),
            now(),
            "api",
            "percentage",
            split,
            message,
            "deployment",
            email);
    script.deploy(deployment);
    return Reply.ok(deploymentJson(deployment));
  }

  // ---------------------------------------------------------------- JSON

  private static ObjectNode deploymentJson(Deployment d) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", d.id());
    node.put("created_on", timestamp(d.createdOn()));
    node.put("source", d.source());
    node.put("strategy", d.strategy());
    ArrayNode versions = node.putArray("versions");
    for (DeploymentVersion v : d.versions()) {
      versions.addObject().put("version_id", v.versionId()).put("percentage", v.percentage());
    }
    ObjectNode annotations = node.putObject("annotations");
    if (d.message() != null) {
      annotations.put("workers/message", d.message());
    }
    if (d.triggeredBy() != null) {
      annotations.put("workers/triggered_by", d.triggeredBy());
    }
    if (d.authorEmail() != null) {
      node.put("author_email", d.authorEmail());
    }
    return node;
  }

  /** A version as the list shows it (Cloudflare's {@code version-item-short}). */
  private static ObjectNode versionJson(WorkerVersion v) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", v.id());
    node.put("number", v.number());
    ObjectNode metadata = node.putObject("metadata");
    if (v.authorEmail() != null) {
      metadata.put("author_email", v.authorEmail());
      metadata.put("author_id", hex(v.authorEmail()).substring(0, 32));
    }
    metadata.put("created_on", timestamp(v.createdOn()));
    metadata.put("modified_on", timestamp(v.createdOn()));
    metadata.put("hasPreview", false);
    if (v.source() != null) {
      metadata.put("source", v.source());
    }
    ObjectNode annotations = node.putObject("annotations");
    if (v.message() != null) {
      annotations.put("workers/message", v.message());
    }
    if (v.tag() != null) {
      annotations.put("workers/tag", v.tag());
    }
    annotations.put("workers/triggered_by", "upload");
    return node;
  }

  /**
   * A version's detail (Cloudflare's {@code version-item-full}): the list's fields plus {@code
   * resources}, which the schema requires and wrangler's {@code versions view} and {@code versions
   * deploy} read. The fake keeps no code or configuration, so the script is a plain {@code fetch}
   * handler with a stable etag, the runtime the defaults of a new Worker created that day, and the
   * bindings the script's secrets (as Cloudflare lists them: name and type, never the value).
   */
  private static ObjectNode versionDetailJson(VersionState state, Set<String> secretNames) {
    WorkerVersion v = state.version();
    ObjectNode node = versionJson(v);
    ObjectNode resources = node.putObject("resources");
    ArrayNode bindings = resources.putArray("bindings");
    new TreeSet<>(secretNames)
        .forEach(name -> bindings.addObject().put("name", name).put("type", "secret_text"));
    ObjectNode script = resources.putObject("script");
    script.put("etag", hex(v.id()));
    script.putArray("handlers").add("fetch");
    script.put("last_deployed_from", v.source() != null ? v.source() : "api");
    ObjectNode runtime = resources.putObject("script_runtime");
    runtime.put("compatibility_date", timestamp(v.createdOn()).substring(0, 10));
    runtime.putArray("compatibility_flags");
    runtime.put("usage_model", "standard");
    runtime.putObject("limits").put("cpu_ms", 30_000);
    return node;
  }

  /** The SHA-256 of {@code text} in lowercase hex. */
  private static String hex(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  // ---------------------------------------------------------------- helpers

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  /** Now on the fake's clock, to the microsecond, as Cloudflare's timestamps are. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /**
   * As Cloudflare writes a time, e.g. {@code 2022-11-08T17:19:29.176266Z}: UTC and always six
   * fractional digits, so that timestamps sort as strings (wrangler sorts them so).
   */
  static String timestamp(Instant instant) {
    return TIMESTAMP.format(instant);
  }

  /** {@code s} cut to at most {@code maxBytes} bytes of UTF-8, never inside a character. */
  static String truncateUtf8(String s, int maxBytes) {
    int bytes = 0;
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + len > maxBytes) {
        break;
      }
      bytes += len;
      i += Character.charCount(cp);
    }
    return s.substring(0, i);
  }

  private static int positiveInt(Map<String, String> query, String name, int dflt, int max) {
    String raw = query.get(name);
    if (raw == null || raw.isEmpty()) {
      return dflt;
    }
    try {
      int value = Integer.parseInt(raw);
      if (value >= 1 && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + ": must be an integer between 1 and " + max);
  }

  private Script requireScript(String accountId, String scriptName) {
    Script script = scripts.get(new ScriptKey(accountId, scriptName));
    if (script == null) {
      throw new IllegalArgumentException("no script " + accountId + "/" + scriptName);
    }
    return script;
  }

  // ---------------------------------------------------------------- state types

  record ScriptKey(String account, String script) {}

  record VersionState(WorkerVersion version, long sequence, Map<String, Integer> seen) {}

  static final class Script {
    final Map<String, VersionState> versions = new HashMap<>();
    final List<Deployment> deployments = new ArrayList<>(); // newest first
    // Every deployment ever made, oldest first; deleting one from the list above keeps it here,
    // as Cloudflare's analytics keep the traffic it served.
    final List<Deployment> history = new ArrayList<>();
    final Map<String, Integer> secrets = new HashMap<>(); // name -> revision

    int nextNumber() {
      return versions.values().stream()
              .map(v -> v.version().number())
              .filter(n -> n != null)
              .mapToInt(Integer::intValue)
              .max()
              .orElse(0)
          + 1;
    }

    List<VersionState> versionsNewestFirst() {
      List<VersionState> sorted = new ArrayList<>(versions.values());
      sorted.sort(
          Comparator.comparing((VersionState v) -> v.version().createdOn())
              .thenComparing(v -> v.version().number(), Comparator.nullsFirst(Integer::compare))
              .thenComparingLong(VersionState::sequence)
              .reversed());
      return sorted;
    }

    Optional<Deployment> live() {
      return deployments.isEmpty() ? Optional.empty() : Optional.of(deployments.get(0));
    }

    Optional<Deployment> deployment(String id) {
      return deployments.stream().filter(d -> d.id().equals(id)).findFirst();
    }

    void deploy(Deployment deployment) {
      deployments.add(0, deployment);
      history.add(deployment);
      refreshSecrets(deployment.versions());
    }

    void refreshSecrets(List<DeploymentVersion> split) {
      for (DeploymentVersion v : split) {
        VersionState state = versions.get(v.versionId());
        if (state != null) {
          state.seen().clear();
          state.seen().putAll(secrets);
        }
      }
    }

    Set<String> changedSecrets(VersionState version) {
      Set<String> changed = new TreeSet<>();
      secrets.forEach(
          (name, revision) -> {
            if (!revision.equals(version.seen().getOrDefault(name, 0))) {
              changed.add(name);
            }
          });
      return changed;
    }
  }

  enum Endpoint {
    DEPLOYMENTS(Set.of("GET", "POST")),
    DEPLOYMENT(Set.of("GET", "DELETE")),
    VERSIONS(Set.of("GET")),
    VERSION(Set.of("GET"));

    final Set<String> methods;

    Endpoint(Set<String> methods) {
      this.methods = methods;
    }
  }

  /** {@code /client/v4/accounts/{a}/workers/scripts/{s}/(deployments|versions)[/{id}]}. */
  record Route(Endpoint kind, String account, String script, String id) {
    static Route parse(String rawPath) {
      if (!rawPath.startsWith(FakeCloudflare.API_PREFIX + "/")) {
        return null;
      }
      String[] s = rawPath.substring(FakeCloudflare.API_PREFIX.length() + 1).split("/", -1);
      if (s.length < 6
          || s.length > 7
          || !s[0].equals("accounts")
          || !s[2].equals("workers")
          || !s[3].equals("scripts")
          || s[1].isEmpty()
          || s[4].isEmpty()) {
        return null;
      }
      String account = decodeSegment(s[1]);
      String script = decodeSegment(s[4]);
      String id = s.length == 7 ? decodeSegment(s[6]) : null;
      if (id != null && id.isEmpty()) {
        return null;
      }
      return switch (s[5]) {
        case "deployments" ->
            new Route(id == null ? Endpoint.DEPLOYMENTS : Endpoint.DEPLOYMENT, account, script, id);
        case "versions" ->
            new Route(id == null ? Endpoint.VERSIONS : Endpoint.VERSION, account, script, id);
        default -> null;
      };
    }

    private static String decodeSegment(String raw) {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    ScriptKey scriptKey() {
      return new ScriptKey(account, script);
    }
  }
}
