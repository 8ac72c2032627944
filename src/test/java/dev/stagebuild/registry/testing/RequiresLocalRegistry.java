package dev.stagebuild.registry.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks tests that run a real {@code docker-registry} ({@link LocalRegistry}). Without the binary
 * they are skipped with the message {@value LocalRegistry#INSTALL_HINT} — unless the environment
 * variable {@code CI} is {@code true}: then they fail, because CI must run them.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(LocalRegistryCondition.class)
public @interface RequiresLocalRegistry {}
