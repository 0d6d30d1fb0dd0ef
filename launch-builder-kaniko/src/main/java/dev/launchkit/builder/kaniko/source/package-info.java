/**
 * Fetching job sources: git over https (git-credentials files, extra CA bundle) and ssh (~/.ssh), with the remotes
 * the builder refuses ({@link dev.launchkit.builder.kaniko.source.GitRemotes}).
 */
package dev.launchkit.builder.kaniko.source;
