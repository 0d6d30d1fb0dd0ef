/**
 * Docker Registry v2 support shared by every registry plugin: {@link dev.launchkit.core.registry.RegistryUri} (the
 * W&amp;B repository-URI rules and type inference), {@link dev.launchkit.core.registry.RegistryClient} (manifest
 * existence with the registry's token challenge) and the {@code generic} registry for any other server.
 */
package dev.launchkit.core.registry;
