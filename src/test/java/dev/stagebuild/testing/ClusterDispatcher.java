package dev.stagebuild.testing;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mock API server's CRUD dispatcher with what a real API server adds: pod logs served by path
 * (honouring limitBytes), admission that can refuse pods (Pod Security, quotas) or mutate them (a
 * mesh injecting a sidecar container first), and, when armed, failures a loaded server gives: 429
 * and 500 answers to a fraction of requests and watches ended with 410 Gone.
 */
public final class ClusterDispatcher extends KubernetesMixedDispatcher {
  private static final Pattern POD_LOG = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log(\\?.*)?");
  private static final Pattern LIMIT = Pattern.compile("[?&]limitBytes=(\\d+)");
  private static final Pattern EVENTS_BY_OBJECT = Pattern.compile(
      "^/api/v1/namespaces/[^/]+/events\\?.*fieldSelector=involvedObject\\.name(?:%3D|=)([^&]+)");
  private static final Pattern STAGEBUILD = Pattern.compile(
      "(/apis/stagebuild\\.dev/[^/]+/namespaces/[^/]+/stagebuilds/[^/?]+)(/status)?(\\?.*)?");
  private static final Pattern CONFIGMAPS = Pattern.compile("/api/v1/namespaces/[^/]+/configmaps(\\?.*)?");
  private static final Pattern POD_CREATE = Pattern.compile("/api/v1/namespaces/([^/]+)/pods(\\?.*)?");
  public static final String SIDECAR = "istio-proxy";

  private final Map<String, String> logs = new ConcurrentHashMap<>();
  private final Random random = new Random(42);
  private final AtomicLong injected = new AtomicLong();
  private final AtomicLong tooLarge = new AtomicLong();
  private final AtomicLong conflicts = new AtomicLong();
  private final java.util.Set<String> createdConfigMaps = ConcurrentHashMap.newKeySet();
  private final AtomicLong repeatedConfigMapCreates = new AtomicLong();
  private volatile Function<Pod, MockResponse> admission = pod -> null;
  private final java.util.Queue<java.util.Map.Entry<java.util.function.Predicate<RecordedRequest>, MockResponse>> once =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private volatile boolean injectSidecar;
  private volatile double failureRate;
  private volatile double watchFailureRate;
  private volatile String failuresOnlyFor;
  /** etcd's default --max-request-bytes: the API server stores a custom resource as its JSON. */
  public static final int ETCD_MAX_OBJECT_BYTES = 1536 * 1024;
  private final Map<String, Integer> maxObjectBytes = new ConcurrentHashMap<>();

  public ClusterDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses) {
    super(responses);
  }

  public void serveLog(String namespace, String pod, String log) {
    logs.put(namespace + "/" + pod, log);
  }

  /** An admission check on pod creation: a response refuses the pod, null admits it. */
  public void admission(Function<Pod, MockResponse> check) {
    this.admission = check;
  }

  /**
   * Refuses a created or replaced object of this resource (plural) over this many bytes as etcd
   * does, through the API server: 500 "etcdserver: request is too large" (kubernetes#112152). Every
   * other resource is held to etcd's default, 1.5 MiB.
   */
  public void maxObjectBytes(String resource, int bytes) {
    maxObjectBytes.put(resource, bytes);
  }

  private int maxObjectBytes(String path) {
    for (Map.Entry<String, Integer> e : maxObjectBytes.entrySet()) {
      if (path.contains("/" + e.getKey() + "/") || path.split("\\?", 2)[0].endsWith("/" + e.getKey())) {
        return e.getValue();
      }
    }
    return ETCD_MAX_OBJECT_BYTES;
  }

  /** Answers the first request that matches with this response (then serves as usual). */
  public void respondOnce(java.util.function.Predicate<RecordedRequest> matches, MockResponse response) {
    once.add(java.util.Map.entry(matches, response));
  }

  /** The responses of {@link #respondOnce} not served yet. */
  public int pendingOnce() {
    return once.size();
  }

  /** Like a mesh's mutating webhook: every pod created gets a sidecar container, listed first. */
  public void injectSidecars(boolean on) {
    this.injectSidecar = on;
  }

  /**
   * Answers this fraction of the requests whose User-Agent starts with {@code userAgent} (not watches)
   * with 429 or 500, and this fraction of its watches with 410 Gone.
   */
  public void failRequests(String userAgent, double rate, double watchRate) {
    this.failuresOnlyFor = userAgent;
    this.failureRate = rate;
    this.watchFailureRate = watchRate;
  }

  /** Failures injected so far. */
  public long injectedFailures() {
    return injected.get();
  }

  /**
   * ConfigMap creates so far that named one created before (a create retried after a failed request
   * or a conflicting pass).
   */
  public long repeatedConfigMapCreates() {
    return repeatedConfigMapCreates.get();
  }

  /** StageBuild replaces refused so far for a stale resourceVersion (409). */
  public long staleWrites() {
    return conflicts.get();
  }

  /** Creates and replaces refused so far as over {@link #maxObjectBytes(String, int)}'s limit. */
  public long tooLargeRefusals() {
    return tooLarge.get();
  }

  public static MockResponse refusal(int code, String reason, String message) {
    return new MockResponse().setResponseCode(code).setBody(Serialization.asJson(new StatusBuilder()
        .withApiVersion("v1").withKind("Status").withStatus("Failure").withCode(code).withReason(reason)
        .withMessage(message).build()));
  }

  private final java.util.concurrent.ConcurrentLinkedQueue<String> seen = new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** How many requests so far were {@code method} on a path ending in {@code pathSuffix} from {@code userAgent}. */
  public long count(String userAgent, String method, String pathSuffix) {
    String prefix = userAgent + " " + method + " ";
    return seen.stream().filter(r -> r.startsWith(prefix) && r.split("\\?", 2)[0].endsWith(pathSuffix)).count();
  }

  private final Object stageBuildWrites = new Object();

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    if (!"GET".equals(request.getMethod()) && STAGEBUILD.matcher(request.getPath()).matches()) {
      // the resourceVersion check and the write it admits, as one step (etcd's compare-and-swap)
      synchronized (stageBuildWrites) {
        return dispatchOne(request);
      }
    }
    return dispatchOne(request);
  }

  private MockResponse dispatchOne(RecordedRequest request) {
    String path = request.getPath();
    String method = request.getMethod();
    if (!"GET".equals(method)) {
      seen.add(request.getHeader("User-Agent") + " " + method + " " + path);
    }
    String agent = request.getHeader("User-Agent");
    if (failuresOnlyFor != null && agent != null && agent.startsWith(failuresOnlyFor)) {
      boolean watch = path.contains("watch=true");
      double roll;
      synchronized (random) {
        roll = random.nextDouble();
      }
      if (watch && roll < watchFailureRate) {
        injected.incrementAndGet();
        return refusal(410, "Expired", "too old resource version");
      }
      if (!watch && roll < failureRate) {
        injected.incrementAndGet();
        return roll < failureRate / 2
            ? refusal(429, "TooManyRequests", "the server has received too many requests").setHeader("Retry-After", "1")
            : refusal(500, "InternalError", "etcdserver: request timed out");
      }
    }
    for (var e : once) {
      if (e.getKey().test(request) && once.remove(e)) {
        return e.getValue();
      }
    }
    if (("POST".equals(method) || "PUT".equals(method)) && request.getBody() != null
        && request.getBody().size() > maxObjectBytes(path)) {
      tooLarge.incrementAndGet();
      return refusal(500, "InternalError", "etcdserver: request is too large");
    }
    if ("POST".equals(method) && CONFIGMAPS.matcher(path).matches()) {
      var object = Serialization.unmarshal(body(request), io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
      if (object != null && object.getMetadata() != null
          && !createdConfigMaps.add(object.getMetadata().getNamespace() + "/" + object.getMetadata().getName())) {
        repeatedConfigMapCreates.incrementAndGet();
      }
    }
    if ("PUT".equals(method) && STAGEBUILD.matcher(path).matches()) {
      MockResponse refused = checkResourceVersion(request, STAGEBUILD.matcher(path).replaceAll("$1"));
      if (refused != null) {
        return refused;
      }
    }
    if ("DELETE".equals(method)) {
      MockResponse refused = checkUidPrecondition(request);
      if (refused != null) {
        return refused;
      }
      Matcher stageBuild = STAGEBUILD.matcher(path);
      if (stageBuild.matches() && stageBuild.group(2) == null) {
        return deleteMarkingGeneration(request, stageBuild.group(1));
      }
    }
    Matcher events = EVENTS_BY_OBJECT.matcher(path);
    if ("GET".equals(method) && events.find() && !path.contains("watch=true")) {
      return eventsOf(request, java.net.URLDecoder.decode(events.group(1), StandardCharsets.UTF_8));
    }
    Matcher log = POD_LOG.matcher(path);
    if ("GET".equals(method) && log.matches()) {
      String text = logs.get(log.group(1) + "/" + log.group(2));
      if (text == null) {
        return refusal(404, "NotFound", "pods \"" + log.group(2) + "\" not found");
      }
      Matcher limit = LIMIT.matcher(path);
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      if (limit.find() && Long.parseLong(limit.group(1)) < bytes.length) {
        bytes = java.util.Arrays.copyOf(bytes, Integer.parseInt(limit.group(1)));
      }
      return new MockResponse().setResponseCode(200).setBody(bytes);
    }
    if ("POST".equals(method) && POD_CREATE.matcher(path).matches()) {
      Pod pod = Serialization.unmarshal(body(request), Pod.class);
      MockResponse refused = admission.apply(pod);
      if (refused != null) {
        return refused;
      }
      // Like a mesh whose injection is enabled for some workloads only: every other pod by name.
      if (injectSidecar && (pod.getMetadata().getName().hashCode() & 1) == 0) {
        pod.getSpec().getContainers().add(0, new io.fabric8.kubernetes.api.model.ContainerBuilder()
            .withName(SIDECAR).withImage("istio/proxyv2").build());
        return super.dispatch(withBody(request, Serialization.asJson(pod)));
      }
    }
    return super.dispatch(request);
  }

  /** The API server's field selector on events that the mock lacks: involvedObject.name=NAME. */
  private MockResponse eventsOf(RecordedRequest request, String object) {
    String path = request.getPath().replaceAll("fieldSelector=[^&]*&?", "").replaceAll("[?&]$", "");
    MockResponse all = super.dispatch(new RecordedRequest(request.getHttpVersion(), request.method(), path,
        request.getHeaders(), new io.fabric8.mockwebserver.http.Buffer()));
    var list = Serialization.unmarshal(new String(all.getBody().getBytes(), StandardCharsets.UTF_8),
        io.fabric8.kubernetes.api.model.EventList.class);
    list.setItems(list.getItems().stream().filter(e -> e.getInvolvedObject() != null
        && object.equals(e.getInvolvedObject().getName())).toList());
    return new MockResponse().setResponseCode(200).setBody(Serialization.asJson(list));
  }

  /**
   * Optimistic concurrency as the API server has it: a replace that carries a resourceVersion other
   * than the stored one is a 409 (the mock's CRUD mode takes it). Checked for StageBuilds, the
   * object whose status the operator writes with the resourceVersion it observed.
   */
  private MockResponse checkResourceVersion(RecordedRequest request, String objectPath) {
    String body = body(request);
    if (body.isEmpty()) {
      return null;
    }
    var sent = Serialization.unmarshal(body, io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
    String version = sent.getMetadata() == null ? null : sent.getMetadata().getResourceVersion();
    if (version == null || version.isEmpty()) {
      return null;
    }
    var stored = stored(request, objectPath);
    if (stored == null) {
      return null;
    }
    if (!version.equals(stored.getMetadata().getResourceVersion())) {
      conflicts.incrementAndGet();
      return refusal(409, "Conflict", "Operation cannot be fulfilled on stagebuilds.stagebuild.dev \""
          + stored.getMetadata().getName() + "\": the object has been modified; please apply your changes to the"
          + " latest version and try again");
    }
    return null;
  }

  /**
   * A delete of an object that a finalizer holds marks it deleting, and the API server then also
   * raises its generation (apiserver registry/rest/delete.go, registry/store.go markAsDeleting:
   * "controllers of the object that's being deleted shouldn't take any nontrivial actions"). The
   * mock sets the deletionTimestamp only; the generation is raised here, as a second write.
   */
  private MockResponse deleteMarkingGeneration(RecordedRequest request, String objectPath) {
    var before = stored(request, objectPath);
    MockResponse response = super.dispatch(request);
    if (before == null || before.getMetadata().getDeletionTimestamp() != null
        || before.getMetadata().getFinalizers() == null || before.getMetadata().getFinalizers().isEmpty()) {
      return response;
    }
    // The mock's own writes keep the stored generation unless the spec changed: set it in its store,
    // and tell its watchers, as its delete did for the deletionTimestamp.
    var crud = crudDispatcher();
    for (var e : crud.getMap().entrySet()) {
      var object = Serialization.unmarshal(e.getValue(), io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
      if (before.getMetadata().getUid().equals(object.getMetadata().getUid())) {
        object.getMetadata().setGeneration(object.getMetadata().getGeneration() + 1);
        // from the mock's own counter, as its delete takes one: old + 1 could be the next one it hands out
        object.getMetadata().setResourceVersion(Long.toString(crud.requestResourceVersion()));
        crud.processEvent(objectPath, crud.getAttributeExtractor().fromPath(objectPath), e.getKey(), object,
            Serialization.asJson(object));
        break;
      }
    }
    return response;
  }

  private io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher crudDispatcher() {
    try {
      var field = io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher.class
          .getDeclaredField("kubernetesCrudDispatcher");
      field.setAccessible(true);
      return (io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher) field.get(this);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("the Fabric8 mock's CRUD dispatcher moved", e);
    }
  }

  /** Like the API server: a delete whose uid precondition names another object is refused with 409. */
  private MockResponse checkUidPrecondition(RecordedRequest request) {
    String body = body(request);
    if (!body.contains("preconditions")) {
      return null;
    }
    var options = Serialization.unmarshal(body, io.fabric8.kubernetes.api.model.DeleteOptions.class);
    if (options.getPreconditions() == null || options.getPreconditions().getUid() == null) {
      return null;
    }
    var object = stored(request, request.getPath());
    if (object == null) {
      return null;
    }
    if (!options.getPreconditions().getUid().equals(object.getMetadata().getUid())) {
      return refusal(409, "Conflict", "Precondition failed: UID in precondition: "
          + options.getPreconditions().getUid() + ", UID in object meta: " + object.getMetadata().getUid());
    }
    return null;
  }

  /** The object stored at {@code objectPath}, read past this dispatcher's own checks; null when there is none. */
  private io.fabric8.kubernetes.api.model.GenericKubernetesResource stored(RecordedRequest request, String objectPath) {
    MockResponse current = super.dispatch(new RecordedRequest(request.getHttpVersion(),
        io.fabric8.mockwebserver.dsl.HttpMethod.GET, objectPath, request.getHeaders(),
        new io.fabric8.mockwebserver.http.Buffer()));
    String json = current.getBody() == null ? "" : new String(current.getBody().getBytes(), StandardCharsets.UTF_8);
    if (current.code() != 200 || json.isEmpty()) {
      return null;
    }
    return Serialization.unmarshal(json, io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
  }

  /** The request's body, read without consuming it (the server keeps the request for takeRequest). */
  public static String body(RecordedRequest r) {
    return r.getBody() == null ? "" : new String(r.getBody().getBytes(), StandardCharsets.UTF_8);
  }

  private static RecordedRequest withBody(RecordedRequest r, String body) {
    return new RecordedRequest(r.getHttpVersion(), r.method(), r.getPath(), r.getHeaders(),
        new io.fabric8.mockwebserver.http.Buffer(body.getBytes(StandardCharsets.UTF_8)));
  }
}
