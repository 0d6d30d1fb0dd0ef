package dev.launchkit.testkit.cluster;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.launchkit.testkit.cluster.SimulatedCluster.Scenario;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateRunning;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodFailurePolicyOnExitCodesRequirement;
import io.kubernetes.client.openapi.models.V1PodFailurePolicyOnPodConditionsPattern;
import io.kubernetes.client.openapi.models.V1PodFailurePolicyRule;
import io.kubernetes.client.openapi.models.V1PodStatus;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Job controller, garbage collector and kubelet of a {@link SimulatedCluster}. It learns about Jobs from the API
 * requests clients make ({@link #observe}), keeps every running Job as an in-memory state machine, and on each
 * {@link #tick()} moves all of them one step, writing pods and statuses straight into the mock's store (no HTTP, no
 * listing), which is what lets it run thousands of Jobs. Only the tick thread touches the state.
 */
final class JobSimulator {
    /** Log annotation: the text {@code GET .../pods/<pod>/log} returns for the Job's pods. */
    static final String LOG_ANNOTATION = "sim.launchkit.dev/log";
    /** How many steps a {@code slow-start} pod stays ContainerCreating. */
    static final String START_STEPS_ANNOTATION = "sim.launchkit.dev/start-steps";
    private static final Pattern JOBS = Pattern.compile(
            "/apis/batch/v1/namespaces/([^/]+)/jobs(?:/([^/?]+))?(/status)?(?:\\?.*)?");
    private static final Pattern POD = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)(?:\\?.*)?");
    private static final Pattern ORPHAN = Pattern.compile(
            "propagationPolicy\"?\\s*[=:]\\s*\"?Orphan|orphanDependents\"?\\s*[=:]\\s*\"?true");
    /** Kinds the garbage collector looks for dependents in (core/v1 plural names). */
    private static final String JSON_PATCH = "application/json-patch+json";
    private static final List<String> DEPENDENT_KINDS = List.of("pods", "secrets", "configmaps", "services",
            "persistentvolumeclaims");

    /** The mock's store, called in-process: method, path, content type, body → reply. */
    interface Store {
        Reply call(String method, String path, String contentType, String body);
    }

    /** A store reply. */
    record Reply(int code, String body) {
        boolean ok() {
            return code >= 200 && code < 300;
        }
    }

    private final Store store;
    private final Map<String, String> logs;
    private final JSON json = new JSON();
    private final Queue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    /** Jobs not yet finished, by uid, in creation order. */
    private final Map<String, Run> running = new LinkedHashMap<>();
    /** Every Job still stored, namespace/name → uid, for the garbage collector. */
    private final Map<String, String> known = new HashMap<>();
    /** Pod namespace/name → its running Job. */
    private final Map<String, Run> podOwners = new HashMap<>();

    JobSimulator(Store store, Map<String, String> logs) {
        this.store = store;
        this.logs = logs;
    }

    /**
     * Notes a client request the store has answered; called on the server's event loop, so it only queues work.
     */
    void observe(String method, String path, String requestBody, int code, String responseBody) {
        if (code < 200 || code >= 300) {
            return;
        }
        Matcher jobs = JOBS.matcher(path);
        if (jobs.matches()) {
            String ns = jobs.group(1);
            String name = jobs.group(2);
            boolean orphan = ORPHAN.matcher(path).find() || ORPHAN.matcher(requestBody).find();
            if (name == null && "POST".equals(method)) {
                inbox.add(() -> adopt(responseBody));
            } else if (name != null && jobs.group(3) == null && ("PUT".equals(method) || "PATCH".equals(method))) {
                inbox.add(() -> updated(responseBody));
            } else if (name != null && "DELETE".equals(method)) {
                inbox.add(() -> deleted(ns, name, orphan));
            } else if (name == null && "DELETE".equals(method)) {
                inbox.add(() -> resync(ns, orphan));
            }
            return;
        }
        Matcher pod = POD.matcher(path);
        if (pod.matches() && "DELETE".equals(method)) {
            inbox.add(() -> podDeleted(pod.group(1) + "/" + pod.group(2)));
        }
    }

    /** One step: take in what clients did, then move every running Job on. */
    void tick() {
        for (Runnable event = inbox.poll(); event != null; event = inbox.poll()) {
            try {
                event.run();
            } catch (RuntimeException e) {
                // an object the simulator cannot read is left alone; the other events still count
            }
        }
        for (Iterator<Run> it = running.values().iterator(); it.hasNext(); ) {
            Run run = it.next();
            try {
                run.step();
            } catch (RuntimeException e) {
                run.done = true; // a Job the simulator cannot handle stops moving; the others go on
            }
            if (run.done) {
                it.remove();
            }
        }
    }

    // ---- what clients did ----

    private void adopt(String body) {
        V1Job job = json.deserialize(body, V1Job.class);
        String uid = job.getMetadata().getUid();
        known.put(key(job.getMetadata()), uid);
        running.putIfAbsent(uid, new Run(job));
    }

    private void updated(String body) {
        V1Job job = json.deserialize(body, V1Job.class);
        Run run = running.get(job.getMetadata().getUid());
        if (run != null) {
            run.job = job;
        } else if (!known.containsKey(key(job.getMetadata()))) {
            adopt(body);
        }
    }

    private void deleted(String ns, String name, boolean orphan) {
        if (store.call("GET", "/apis/batch/v1/namespaces/" + ns + "/jobs/" + name, null, null).ok()) {
            return; // kept by a finalizer; it goes when a later request removes it
        }
        String uid = known.remove(ns + "/" + name);
        if (uid == null) {
            return;
        }
        Run run = running.remove(uid);
        if (run != null) {
            run.forget();
        }
        if (!orphan) {
            collectGarbage(ns, uid);
        }
    }

    private void resync(String ns, boolean orphan) {
        Reply list = store.call("GET", "/apis/batch/v1/namespaces/" + ns + "/jobs", null, null);
        if (!list.ok()) {
            return;
        }
        List<String> stored = new ArrayList<>();
        for (JsonElement item : items(list.body())) {
            stored.add(item.getAsJsonObject().getAsJsonObject("metadata").get("name").getAsString());
        }
        for (String k : new ArrayList<>(known.keySet())) {
            if (k.startsWith(ns + "/") && !stored.contains(k.substring(ns.length() + 1))) {
                deleted(ns, k.substring(ns.length() + 1), orphan);
            }
        }
    }

    private void podDeleted(String podKey) {
        Run run = podOwners.remove(podKey);
        if (run != null) {
            run.podGone(podKey);
        }
    }

    /** Deletes what names the deleted owner in its ownerReferences, as the garbage collector does. */
    private void collectGarbage(String ns, String ownerUid) {
        for (String kind : DEPENDENT_KINDS) {
            Reply list = store.call("GET", "/api/v1/namespaces/" + ns + "/" + kind, null, null);
            if (!list.ok()) {
                continue;
            }
            for (JsonElement item : items(list.body())) {
                JsonObject meta = item.getAsJsonObject().getAsJsonObject("metadata");
                JsonArray owners = meta.getAsJsonArray("ownerReferences");
                if (owners == null) {
                    continue;
                }
                for (JsonElement owner : owners) {
                    JsonElement uid = owner.getAsJsonObject().get("uid");
                    if (uid != null && ownerUid.equals(uid.getAsString())) {
                        String name = meta.get("name").getAsString();
                        podOwners.remove(ns + "/" + name);
                        store.call("DELETE", "/api/v1/namespaces/" + ns + "/" + kind + "/" + name, null, null);
                        break;
                    }
                }
            }
        }
    }

    /**
     * A JSON patch setting the whole status: the mock's merge patch appends to arrays instead of replacing them, and
     * "add" (unlike "replace") also works on an object stored without a status.
     */
    private static String replaceStatus(String statusJson) {
        return "[{\"op\":\"add\",\"path\":\"/status\",\"value\":" + statusJson + "}]";
    }

    private static JsonArray items(String listBody) {
        JsonArray items = JsonParser.parseString(listBody).getAsJsonObject().getAsJsonArray("items");
        return items == null ? new JsonArray() : items;
    }

    private static String key(V1ObjectMeta meta) {
        return meta.getNamespace() + "/" + meta.getName();
    }

    // ---- one Job ----

    /** A pod of a Job and how many steps it has lived. */
    private static final class PodRun {
        final String name;
        final Scenario scenario;
        int age;
        boolean running;

        PodRun(String name, Scenario scenario) {
            this.name = name;
            this.scenario = scenario;
        }
    }

    /** How a pod ended. */
    private record Ending(boolean succeeded, V1PodStatus status) {
    }

    private final class Run {
        final String ns;
        final String name;
        final String uid;
        V1Job job;
        final Scenario scenario;
        final String scenarioError;
        final List<PodRun> pods = new ArrayList<>();
        final List<Map<String, Object>> conditions = new ArrayList<>();
        int succeeded;
        int failed;
        int attempts;
        long startedNanos;
        String startTime;
        boolean suspendedReported;
        boolean done;
        String lastStatus = "";

        Run(V1Job job) {
            this.job = job;
            this.ns = job.getMetadata().getNamespace();
            this.name = job.getMetadata().getName();
            this.uid = job.getMetadata().getUid();
            Scenario s;
            String error = null;
            try {
                s = scenarioOf(annotations());
            } catch (IllegalArgumentException e) {
                s = Scenario.FAIL;
                error = e.getMessage();
            }
            this.scenario = s;
            this.scenarioError = error;
        }

        Map<String, String> annotations() {
            Map<String, String> all = new HashMap<>();
            if (job.getMetadata().getAnnotations() != null) {
                all.putAll(job.getMetadata().getAnnotations());
            }
            V1ObjectMeta template = job.getSpec().getTemplate().getMetadata();
            if (template != null && template.getAnnotations() != null) {
                all.putAll(template.getAnnotations());
            }
            return all;
        }

        int backoffLimit() {
            Integer limit = job.getSpec().getBackoffLimit();
            return limit == null ? 6 : limit; // the API server's default
        }

        int parallelism() {
            Integer p = job.getSpec().getParallelism();
            return p == null ? 1 : Math.max(0, p);
        }

        /** Completions needed; with neither completions nor parallelism set a Job needs one. */
        Integer completions() {
            Integer c = job.getSpec().getCompletions();
            return c != null ? c : job.getSpec().getParallelism() == null ? Integer.valueOf(1) : null;
        }

        boolean suspended() {
            return Boolean.TRUE.equals(job.getSpec().getSuspend());
        }

        void step() {
            if (suspended()) {
                suspend();
                return;
            }
            if (startTime == null) {
                start();
                return;
            }
            Long deadline = job.getSpec().getActiveDeadlineSeconds();
            if (deadline != null && System.nanoTime() - startedNanos >= deadline * 1_000_000_000L) {
                fail("DeadlineExceeded", "Job was active longer than specified deadline");
                return;
            }
            int ready = 0;
            for (Iterator<PodRun> it = pods.iterator(); it.hasNext(); ) {
                PodRun pod = it.next();
                pod.age++;
                Ending end = advance(pod);
                if (end == null) {
                    ready += pod.running && pod.scenario != Scenario.CRASH_LOOP_BACKOFF ? 1 : 0;
                    continue;
                }
                it.remove();
                podOwners.remove(ns + "/" + pod.name);
                if (end.succeeded()) {
                    succeeded++;
                } else if (!judge(pod, end.status())) {
                    return;
                }
            }
            if (scenario == Scenario.DEADLINE_EXCEEDED && pods.stream().anyMatch(p -> p.age >= 2)) {
                fail("DeadlineExceeded", "Job was active longer than specified deadline");
                return;
            }
            if (failed > backoffLimit()) {
                fail("BackoffLimitExceeded", "Job has reached the specified backoff limit");
                return;
            }
            Integer completions = completions();
            if (completions == null ? succeeded > 0 && pods.isEmpty() : succeeded >= completions) {
                complete();
                return;
            }
            if (completions != null || succeeded == 0) {
                fillUp();
            }
            patchStatus(ready);
        }

        /** Applies the pod failure policy to a failed pod; false when it failed the Job. */
        boolean judge(PodRun pod, V1PodStatus status) {
            if (job.getSpec().getPodFailurePolicy() != null) {
                List<V1PodFailurePolicyRule> rules = job.getSpec().getPodFailurePolicy().getRules();
                for (int i = 0; rules != null && i < rules.size(); i++) {
                    String why = matches(rules.get(i), pod, status);
                    if (why == null) {
                        continue;
                    }
                    switch (rules.get(i).getAction()) {
                        case "FailJob" -> {
                            fail("PodFailurePolicy", why + " matching FailJob rule at index " + i);
                            return false;
                        }
                        case "Ignore" -> {
                            return true;
                        }
                        default -> {
                            failed++;
                            return true;
                        }
                    }
                }
            }
            failed++;
            return true;
        }

        private String matches(V1PodFailurePolicyRule rule, PodRun pod, V1PodStatus status) {
            if (rule.getOnExitCodes() != null) {
                V1PodFailurePolicyOnExitCodesRequirement req = rule.getOnExitCodes();
                for (V1ContainerStatus c : status.getContainerStatuses()) {
                    V1ContainerStateTerminated t = c.getState().getTerminated();
                    if (t == null || t.getExitCode() == 0
                            || req.getContainerName() != null && !req.getContainerName().equals(c.getName())) {
                        continue;
                    }
                    boolean in = req.getValues().contains(t.getExitCode());
                    if ("In".equals(req.getOperator()) == in) {
                        return "Container " + c.getName() + " for pod " + ns + "/" + pod.name
                                + " failed with exit code " + t.getExitCode();
                    }
                }
            }
            if (rule.getOnPodConditions() != null && status.getConditions() != null) {
                for (V1PodFailurePolicyOnPodConditionsPattern p : rule.getOnPodConditions()) {
                    for (V1PodCondition c : status.getConditions()) {
                        if (p.getType().equals(c.getType())
                                && Objects.requireNonNullElse(p.getStatus(), "True").equals(c.getStatus())) {
                            return "Pod " + ns + "/" + pod.name + " has condition " + c.getType();
                        }
                    }
                }
            }
            return null;
        }

        void start() {
            if (suspendedReported) {
                suspendedReported = false;
                setCondition("Suspended", "False", "JobResumed", "Job resumed");
            }
            startTime = OffsetDateTime.now().toString();
            startedNanos = System.nanoTime();
            fillUp();
            patchStatus(0);
        }

        void suspend() {
            deletePods();
            if (!suspendedReported) {
                suspendedReported = true;
                startTime = null;
                setCondition("Suspended", "True", "JobSuspended", "Job suspended");
                patchStatus(0);
            }
        }

        void fillUp() {
            Integer completions = completions();
            int want = completions == null ? parallelism()
                    : Math.min(parallelism(), completions - succeeded);
            while (pods.size() < want) {
                createPod();
            }
        }

        void createPod() {
            int attempt = attempts++;
            Scenario s = attempt > 0 && (scenario == Scenario.EVICTED || scenario == Scenario.PREEMPTED)
                    ? Scenario.SUCCEED : scenario; // a disrupted pod's replacement lands on a healthy node
            String podName = name + "-" + attempt + "-" + Integer.toString(Math.abs(uid.hashCode()) % 46656, 36);
            V1ObjectMeta template = job.getSpec().getTemplate().getMetadata();
            Map<String, String> labels = new HashMap<>(template == null || template.getLabels() == null ? Map.of()
                    : template.getLabels());
            labels.put("job-name", name);
            labels.put("batch.kubernetes.io/job-name", name);
            labels.put("controller-uid", uid);
            labels.put("batch.kubernetes.io/controller-uid", uid);
            Map<String, String> annotations = template == null || template.getAnnotations() == null ? Map.of()
                    : template.getAnnotations();
            V1Pod pod = new V1Pod().apiVersion("v1").kind("Pod")
                    .metadata(new V1ObjectMeta().name(podName).namespace(ns).labels(labels).annotations(annotations)
                            .ownerReferences(List.of(new V1OwnerReference().apiVersion("batch/v1").kind("Job")
                                    .name(name).uid(uid).controller(true).blockOwnerDeletion(true))))
                    .spec(job.getSpec().getTemplate().getSpec())
                    .status(pending(s));
            if (store.call("POST", "/api/v1/namespaces/" + ns + "/pods", "application/json", json.serialize(pod))
                    .ok()) {
                String log = scenarioError != null ? scenarioError + "\n" : annotations().get(LOG_ANNOTATION);
                logs.putIfAbsent(ns + "/" + podName, log != null ? log
                        : "simulated pod " + podName + " (" + s.annotationValue() + ")\n");
                pods.add(new PodRun(podName, s));
                podOwners.put(ns + "/" + podName, this);
            }
        }

        /** Moves a pod one step; its ending when it terminated now, else null. */
        Ending advance(PodRun pod) {
            int age = pod.age;
            switch (pod.scenario) {
                case IMAGE_PULL_BACKOFF, UNSCHEDULABLE, CREATE_CONTAINER_CONFIG_ERROR -> {
                    return null;
                }
                case CRASH_LOOP_BACKOFF -> {
                    pod.running = true;
                    patchPod(pod, crashLooping(age));
                    return null;
                }
                case RUN_FOREVER, DEADLINE_EXCEEDED -> {
                    if (age == 1) {
                        startRunning(pod);
                    }
                    return null;
                }
                case SLOW_START -> {
                    int steps = startSteps();
                    if (age == steps + 1) {
                        startRunning(pod);
                    }
                    return age == steps + 2 ? terminate(pod) : null;
                }
                default -> {
                    if (age == 1) {
                        startRunning(pod);
                    }
                    return age == 2 ? terminate(pod) : null;
                }
            }
        }

        int startSteps() {
            String value = annotations().get(START_STEPS_ANNOTATION);
            try {
                return value == null ? 3 : Math.max(0, Integer.parseInt(value.trim()));
            } catch (NumberFormatException e) {
                return 3;
            }
        }

        void startRunning(PodRun pod) {
            pod.running = true;
            patchPod(pod, running());
        }

        Ending terminate(PodRun pod) {
            V1PodStatus status = terminated(pod.scenario);
            patchPod(pod, status);
            return new Ending("Succeeded".equals(status.getPhase()), status);
        }

        void podGone(String podKey) {
            // a pod deleted under a running Job counts as failed and is replaced, as with podReplacementPolicy
            // TerminatingOrFailed (the default without a pod failure policy)
            if (pods.removeIf(p -> (ns + "/" + p.name).equals(podKey)) && !suspended()) {
                failed++;
            }
        }

        void complete() {
            String now = OffsetDateTime.now().toString();
            setCondition("SuccessCriteriaMet", "True", "CompletionsReached",
                    "Reached expected number of succeeded pods");
            setCondition("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods");
            finish(now);
        }

        void fail(String reason, String message) {
            deletePods();
            setCondition("FailureTarget", "True", reason, message);
            setCondition("Failed", "True", reason, message);
            finish(null);
        }

        void finish(String completionTime) {
            done = true;
            Map<String, Object> status = statusFields(0);
            if (completionTime != null) {
                status.put("completionTime", completionTime);
            }
            patchJob(status);
            forget();
        }

        void forget() {
            done = true;
            for (PodRun p : pods) {
                podOwners.remove(ns + "/" + p.name);
            }
        }

        void deletePods() {
            for (PodRun p : pods) {
                podOwners.remove(ns + "/" + p.name);
                store.call("DELETE", "/api/v1/namespaces/" + ns + "/pods/" + p.name, null, null);
            }
            pods.clear();
        }

        void setCondition(String type, String status, String reason, String message) {
            String now = OffsetDateTime.now().toString();
            conditions.removeIf(c -> type.equals(c.get("type")));
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("type", type);
            c.put("status", status);
            c.put("reason", reason);
            c.put("message", message);
            c.put("lastProbeTime", now);
            c.put("lastTransitionTime", now);
            conditions.add(c);
        }

        Map<String, Object> statusFields(int ready) {
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("active", pods.size());
            status.put("ready", ready);
            status.put("succeeded", succeeded);
            status.put("failed", failed);
            status.put("startTime", startTime);
            status.put("conditions", conditions.isEmpty() ? null : conditions);
            return status;
        }

        void patchStatus(int ready) {
            Map<String, Object> status = statusFields(ready);
            String text = status.toString();
            if (!text.equals(lastStatus)) {
                lastStatus = text;
                patchJob(status);
            }
        }

        void patchJob(Map<String, Object> status) {
            Reply reply = store.call("PATCH", "/apis/batch/v1/namespaces/" + ns + "/jobs/" + name + "/status",
                    JSON_PATCH, replaceStatus(json.getGson().toJson(status)));
            if (reply.code() == 404) {
                forget(); // deleted meanwhile
            }
        }

        void patchPod(PodRun pod, V1PodStatus status) {
            store.call("PATCH", "/api/v1/namespaces/" + ns + "/pods/" + pod.name + "/status", JSON_PATCH,
                    replaceStatus(json.serialize(status)));
        }

        // ---- pod statuses as the kubelet reports them ----

        List<V1Container> containers() {
            return job.getSpec().getTemplate().getSpec().getContainers();
        }

        V1PodStatus pending(Scenario s) {
            V1PodStatus status = new V1PodStatus().phase("Pending");
            if (s == Scenario.UNSCHEDULABLE) {
                return status.conditions(List.of(new V1PodCondition().type("PodScheduled").status("False")
                        .reason("Unschedulable").message("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.")
                        .lastTransitionTime(OffsetDateTime.now())));
            }
            String secret = containers().stream().flatMap(c -> c.getEnv() == null ? java.util.stream.Stream.empty()
                            : c.getEnv().stream())
                    .filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                    .map(e -> e.getValueFrom().getSecretKeyRef().getName()).findFirst().orElse(name + "-secret");
            return status.conditions(List.of(new V1PodCondition().type("PodScheduled").status("True")
                            .lastTransitionTime(OffsetDateTime.now())))
                    .containerStatuses(containerStatuses(c -> new V1ContainerState().waiting(switch (s) {
                        case IMAGE_PULL_BACKOFF -> new V1ContainerStateWaiting().reason("ImagePullBackOff")
                                .message("Back-off pulling image \"" + c.getImage() + "\"");
                        case CREATE_CONTAINER_CONFIG_ERROR -> new V1ContainerStateWaiting()
                                .reason("CreateContainerConfigError").message("secret \"" + secret + "\" not found");
                        default -> new V1ContainerStateWaiting().reason("ContainerCreating");
                    }), false, 0));
        }

        V1PodStatus running() {
            OffsetDateTime now = OffsetDateTime.now();
            return new V1PodStatus().phase("Running").startTime(now).podIP("10.0.0.7")
                    .conditions(List.of(new V1PodCondition().type("Ready").status("True").lastTransitionTime(now)))
                    .containerStatuses(containerStatuses(c -> new V1ContainerState()
                            .running(new V1ContainerStateRunning().startedAt(now)), true, 0));
        }

        V1PodStatus crashLooping(int restarts) {
            OffsetDateTime now = OffsetDateTime.now();
            List<V1ContainerStatus> statuses = containerStatuses(c -> new V1ContainerState().waiting(
                    new V1ContainerStateWaiting().reason("CrashLoopBackOff").message("back-off " + Math.min(300,
                            10 << Math.min(5, restarts - 1)) + "s restarting failed container=" + c.getName()
                            + " pod=" + name)), false, restarts);
            for (V1ContainerStatus cs : statuses) {
                cs.lastState(new V1ContainerState().terminated(new V1ContainerStateTerminated().exitCode(1)
                        .reason("Error").startedAt(now.minusSeconds(1)).finishedAt(now)));
            }
            return new V1PodStatus().phase("Running").startTime(now).podIP("10.0.0.7")
                    .conditions(List.of(new V1PodCondition().type("Ready").status("False")
                            .reason("ContainersNotReady").lastTransitionTime(now)))
                    .containerStatuses(statuses);
        }

        V1PodStatus terminated(Scenario s) {
            OffsetDateTime now = OffsetDateTime.now();
            V1PodStatus status = new V1PodStatus().phase(s == Scenario.SUCCEED || s == Scenario.SLOW_START
                    ? "Succeeded" : "Failed");
            switch (s) {
                case EVICTED -> status.reason("Evicted").message("The node was low on resource: memory. Threshold "
                                + "quantity: 100Mi, available: 51200Ki.")
                        .conditions(List.of(disruption("TerminationByKubelet",
                                "The node was low on resource: memory.", now)));
                case PREEMPTED -> status.conditions(List.of(disruption("PreemptionByScheduler",
                        "kube-scheduler: preempting to accommodate a higher priority pod", now)));
                default -> { }
            }
            return status.containerStatuses(containerStatuses(c -> new V1ContainerState().terminated((switch (s) {
                case SUCCEED, SLOW_START -> new V1ContainerStateTerminated().exitCode(0).reason("Completed");
                case OOM -> new V1ContainerStateTerminated().exitCode(137).reason("OOMKilled");
                case EVICTED -> new V1ContainerStateTerminated().exitCode(137).reason("ContainerStatusUnknown")
                        .message("The container could not be located when the pod was terminated");
                case PREEMPTED -> new V1ContainerStateTerminated().exitCode(143).reason("Error");
                default -> new V1ContainerStateTerminated().exitCode(1).reason("Error");
            }).finishedAt(now)), false, 0));
        }

        private V1PodCondition disruption(String reason, String message, OffsetDateTime now) {
            return new V1PodCondition().type("DisruptionTarget").status("True").reason(reason).message(message)
                    .lastTransitionTime(now);
        }

        List<V1ContainerStatus> containerStatuses(Function<V1Container, V1ContainerState> state, boolean ready,
                int restarts) {
            List<V1ContainerStatus> out = new ArrayList<>();
            for (V1Container c : containers()) {
                out.add(new V1ContainerStatus().name(c.getName()).image(String.valueOf(c.getImage())).imageID("")
                        .ready(ready).started(ready).restartCount(restarts).state(state.apply(c)));
            }
            return out;
        }
    }

    private static Scenario scenarioOf(Map<String, String> annotations) {
        String value = annotations.get(SimulatedCluster.SCENARIO_ANNOTATION);
        return value == null ? Scenario.SUCCEED : Scenario.parse(value);
    }
}
