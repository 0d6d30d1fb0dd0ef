package dev.launchkit.builder.kaniko.job;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything that goes into one Kaniko Job. Absent values are empty strings, lists and maps, never {@code null}.
 *
 * @param namespace        the namespace of the Job and its companions (the agent's namespace)
 * @param name             the Job name, RFC 1123 ({@link BuildJobNames#jobName})
 * @param runId            the W&B run id, for labels
 * @param owner            the value of the owner label, so the monitor's watch sees the Job and its pod
 * @param kanikoImage      the executor image
 * @param context          Kaniko's {@code --context}: an object-store URI or {@code tar:///context/<run>.tgz}
 * @param destination      the image to push, {@code host/repo:tag}
 * @param cacheRepo        Kaniko's {@code --cache-repo}, the repository without tag
 * @param serviceAccount   the pod's service account (workload identity comes with it)
 * @param activeDeadline   seconds before Kubernetes fails the build, unless {@code kanikoConfig} sets it
 * @param ttlAfterFinished seconds Kubernetes keeps the finished Job if the agent could not delete it
 * @param auth             registry authentication
 * @param cloudSecrets     the cloud credentials Secret ({@code secret-name}/{@code secret-key}), if any
 * @param env              plain environment variables for the executor (never secret values)
 * @param secretEnv        environment variables from Secrets: name → {@code [secretName, key]}
 * @param pvcName          the claim holding the context in PVC mode; empty otherwise
 * @param podLabels        extra pod labels (e.g. {@code azure.workload.identity/use})
 * @param kanikoConfig     the user's partial batch/v1 Job ({@code builder.kaniko-config}), merged in
 */
public record BuildJobRequest(String namespace, String name, String runId, String owner, String kanikoImage,
                              String context, String destination, String cacheRepo, String serviceAccount,
                              long activeDeadline, int ttlAfterFinished, RegistryAuth auth,
                              List<CloudSecret> cloudSecrets, Map<String, String> env,
                              Map<String, List<String>> secretEnv, String pvcName, Map<String, String> podLabels,
                              ObjectNode kanikoConfig) {

    public BuildJobRequest {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(kanikoImage, "kanikoImage");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(cacheRepo, "cacheRepo");
        Objects.requireNonNull(serviceAccount, "serviceAccount");
        Objects.requireNonNull(auth, "auth");
        cloudSecrets = List.copyOf(cloudSecrets == null ? List.of() : cloudSecrets);
        env = Map.copyOf(env == null ? Map.of() : env);
        secretEnv = Map.copyOf(secretEnv == null ? Map.of() : secretEnv);
        pvcName = pvcName == null ? "" : pvcName;
        podLabels = Map.copyOf(podLabels == null ? Map.of() : podLabels);
        kanikoConfig = kanikoConfig == null ? JsonNodeFactory.instance.objectNode() : kanikoConfig.deepCopy();
    }

    @Override
    public ObjectNode kanikoConfig() {
        return kanikoConfig.deepCopy();
    }
}
