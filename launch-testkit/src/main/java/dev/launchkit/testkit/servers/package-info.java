/**
 * Local servers that tests start on 127.0.0.1 and stop again: emulators of cloud services (Azurite for Azure Blob
 * Storage). A missing server binary fails the test with what to install, never a silent skip.
 */
package dev.launchkit.testkit.servers;
