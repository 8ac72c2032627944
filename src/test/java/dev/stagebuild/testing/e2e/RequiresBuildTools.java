package dev.stagebuild.testing.e2e;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks end-to-end tests that need buildah, busybox-static, git and docker-registry, and root.
 * Without them the tests are skipped with {@value BuildTools#INSTALL_HINT} — unless the
 * environment variable {@code CI} is {@code true}: then they fail, because CI must run them.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(BuildToolsCondition.class)
public @interface RequiresBuildTools {}
