package dev.stagebuild.reconciler;

import dev.stagebuild.api.StageBuild;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that changes the cluster for a build. Every create is idempotent and checks
 * ownership: an object that already exists under the name is used only when this StageBuild
 * controls it (anything else is a {@code NameConflict}, never adopted). Every delete carries the
 * object's uid as a precondition, so it can only remove the object that was observed. Errors are
 * classified: permanent ones come back as a {@link Refused}, transient ones are thrown for JOSDK to
 * retry.
 */
final class Actuator {
  private static final Logger LOG = LoggerFactory.getLogger(Actuator.class);

  /** A permanent refusal; the build ends with its reason. */
  static final class Refused extends Exception {
    private final Refusal refusal;

    Refused(Refusal refusal) {
      super(refusal.reason() + ": " + refusal.message(), null, false, false);
      this.refusal = refusal;
    }

    Refusal refusal() {
      return refusal;
    }
  }

  private final KubernetesClient client;
  private final StageBuild owner;
  private final String namespace;
  private final RecentDeletes recentDeletes;

  Actuator(KubernetesClient client, StageBuild owner, RecentDeletes recentDeletes) {
    this.client = client;
    this.owner = owner;
    this.namespace = owner.getMetadata().getNamespace();
    this.recentDeletes = recentDeletes;
  }

  /**
   * Creates the object unless this build's object of that name exists already.
   *
   * @param created told about the object the API server returned, when this call created it (read-your-writes)
   * @return true when this call created it
   */
  <T extends HasMetadata> boolean create(T object, Consumer<T> created) throws Refused {
    try {
      T made = client.resource(object).inNamespace(namespace).create();
      if (created != null && made != null) {
        created.accept(made);
      }
      return true;
    } catch (KubernetesClientException e) {
      switch (ApiErrors.classify(e)) {
        case ALREADY_EXISTS -> {
          checkOwned(object);
          return false;
        }
        case CONFLICT -> {
          // A 409 without the AlreadyExists reason (some proxies drop it): decide by ownership too.
          checkOwned(object);
          return false;
        }
        case PERMANENT -> throw new Refused(new Refusal(ApiErrors.refusalReason(e), "the API server refused "
            + kindOf(object) + " " + object.getMetadata().getName() + ": " + ApiErrors.message(e)));
        default -> throw e;
      }
    }
  }

  private void checkOwned(HasMetadata wanted) throws Refused {
    HasMetadata existing = client.resources(wanted.getClass()).inNamespace(namespace)
        .withName(wanted.getMetadata().getName()).get();
    if (existing == null) {
      // Deleted meanwhile: the next pass creates it.
      throw new KubernetesClientException("the " + kindOf(wanted) + " " + wanted.getMetadata().getName()
          + " was deleted while it was being created; trying again");
    }
    if (!controlledByOwner(existing)) {
      throw new Refused(new Refusal("NameConflict", "a " + kindOf(wanted) + " named "
          + wanted.getMetadata().getName() + " already exists in namespace " + namespace
          + " and is not controlled by this StageBuild; the build will not use it. Delete or rename it,"
          + " or rename the StageBuild"));
    }
  }

  /** Whether a delete of this object was answered already (the cache has not caught up yet). */
  boolean deleteAnswered(HasMetadata object) {
    return recentDeletes.answered(object.getMetadata().getUid());
  }

  boolean controlledByOwner(HasMetadata object) {
    return controlledBy(object, owner);
  }

  /** Whether {@code owner} is the object's controller (its owner reference with controller: true). */
  static boolean controlledBy(HasMetadata object, HasMetadata owner) {
    var refs = object.getMetadata().getOwnerReferences();
    if (refs == null) {
      return false;
    }
    for (OwnerReference r : refs) {
      if (Boolean.TRUE.equals(r.getController()) && Objects.equals(r.getUid(), owner.getMetadata().getUid())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Deletes the object with this name only if it is still the one observed (its uid), so that an
   * object someone made under the same name after ours went is left alone. A missing object is fine.
   * A delete already answered for this uid is not sent again ({@link RecentDeletes}).
   */
  void delete(Class<? extends HasMetadata> type, String plural, String name, String uid) {
    if (recentDeletes.answered(uid)) {
      return;
    }
    var options = new DeleteOptionsBuilder().withApiVersion("v1").withKind("DeleteOptions")
        .withNewPreconditions().withUid(uid).endPreconditions().build();
    String path = ("v1".equals(apiVersion(type)) ? "api/v1" : "apis/" + apiVersion(type)) + "/namespaces/"
        + namespace + "/" + plural + "/" + name;
    try {
      client.raw(client.getConfiguration().getMasterUrl().replaceAll("/+$", "") + "/" + path, "DELETE", options);
      recentDeletes.add(uid);
    } catch (KubernetesClientException e) {
      switch (ApiErrors.classify(e)) {
        case NOT_FOUND -> recentDeletes.add(uid);
        // The uid precondition failed: the name now belongs to another object, which stays.
        case CONFLICT, ALREADY_EXISTS -> {
          recentDeletes.add(uid);
          LOG.info("not deleting {} {}: it is no longer the object observed", plural, name);
        }
        // Refused for good (a webhook, RBAC): said once, not asked again by every pass for a while.
        case PERMANENT -> {
          recentDeletes.refused(uid);
          LOG.warn("could not delete {} {}: {}", plural, name, ApiErrors.message(e));
        }
        default -> throw e;
      }
    }
  }

  private static String apiVersion(Class<? extends HasMetadata> type) {
    return HasMetadata.getApiVersion(type);
  }

  private static String kindOf(HasMetadata o) {
    return o.getKind() != null ? o.getKind() : HasMetadata.getKind(o.getClass());
  }
}
