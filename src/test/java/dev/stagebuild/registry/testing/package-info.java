/**
 * A real registry for tests, reusable by operator and end-to-end tests.
 *
 * <ul>
 *   <li>{@link dev.stagebuild.registry.testing.LocalRegistry}: runs {@code docker-registry serve}
 *       on 127.0.0.1 with a free port and temporary storage; anonymous, htpasswd Basic auth, or
 *       token auth; plain HTTP or self-signed TLS. Close it to stop it.
 *   <li>{@link dev.stagebuild.registry.testing.RequiresLocalRegistry}: put it on test classes
 *       that start one. Without the binary they are skipped ("install docker-registry (apt-get
 *       install docker-registry) to run real-registry tests"); with {@code CI=true} they fail.
 *   <li>{@link dev.stagebuild.registry.testing.TestImages}: pushes synthetic images and indexes
 *       by the plain HTTP API and reports digests and expected sizes computed from the uploaded
 *       bytes; {@link dev.stagebuild.registry.testing.TestLayer} builds tar.gz layers (random
 *       content, or files, directories and symlinks).
 *   <li>{@link dev.stagebuild.registry.testing.TokenServer}: the token service for token auth;
 *       records requests, can refuse OAuth2 POST, answer with {@code access_token}, allow
 *       anonymous pull, and mint tokens directly.
 * </ul>
 *
 * <p>Needs the Debian package {@code docker-registry} (binary {@code /usr/bin/docker-registry};
 * another path can be given with the system property {@code stagebuild.docker-registry} or the
 * environment variable {@code STAGEBUILD_DOCKER_REGISTRY}). htpasswd files and certificates are
 * made in-process with Bouncy Castle, so apache2-utils is not needed.
 */
package dev.stagebuild.registry.testing;
