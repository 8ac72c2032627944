/**
 * Reading the pushed image back from its registry: the pushed digest checked against the tag, and
 * the image's compressed size (design 2.7).
 *
 * <pre>{@code
 * ImageReference tag = ImageReference.parse(spec.output.image);
 * Credentials creds = DockerConfig.parse(secretBytes).credentialsFor(tag);
 * try {
 *   PushCheck check = registryClient.verifyPushed(tag, reportedDigest, creds,
 *       Boolean.TRUE.equals(spec.output.insecure), caBundle); // caBundle: CaBundle.parse(pem), or null
 *   switch (check.verdict()) {
 *     case VERIFIED, TAG_MOVED -> status.output.size = check.image().size();
 *     case MISMATCH, NOT_FOUND -> // the registry does not hold the reported digest
 *   }
 * } catch (RegistryException e) {
 *   // condition reason: e.reason().conditionReason(), message: e.getMessage()
 * }
 * }</pre>
 *
 * <p>{@link dev.stagebuild.registry.RegistryClient} is thread-safe and caches tokens,
 * challenges and TLS clients, each cache bounded: share one instance. It follows the proxies of
 * the environment ({@link dev.stagebuild.registry.EnvironmentProxies}). Nothing in this package
 * logs or reports a secret.
 */
package dev.stagebuild.registry;
