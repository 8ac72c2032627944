/**
 * Reading the pushed image back from its registry: digest and compressed size (design 2.7).
 *
 * <pre>{@code
 * ImageReference ref = ImageReference.parse(spec.output.image);
 * Credentials creds = DockerConfig.parse(secretBytes).credentialsFor(ref);
 * try {
 *   ImageInfo info = registryClient.inspect(ref, creds, Boolean.TRUE.equals(spec.output.insecure));
 *   status.output.digest = info.digest();
 *   status.output.imageRef = info.pinned().toString();
 *   status.output.size = info.size();
 *   // info.platforms(): one entry per platform of an index
 * } catch (RegistryException e) {
 *   // condition reason: e.reason().conditionReason(), message: e.getMessage()
 * }
 * }</pre>
 *
 * <p>{@link dev.stagebuild.registry.RegistryClient} is thread-safe and caches tokens and
 * challenges: share one instance. Nothing in this package logs or reports a secret.
 */
package dev.stagebuild.registry;
