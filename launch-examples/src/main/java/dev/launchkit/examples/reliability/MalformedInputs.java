package dev.launchkit.examples.reliability;

import dev.launchkit.testkit.cluster.SimulatedCluster;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A seeded generator of malformed launch specs (directory-queue items) and queue configs ({@code queue.yaml}), each
 * with its category and the words its error message must contain (the key path, the file, the macro). Every case is
 * distinct: a case that comes out the same as an earlier one is drawn again.
 */
public final class MalformedInputs {
    /** The agent's namespace, the only one runs may land in. */
    public static final String NAMESPACE = "wandb";
    /** The secret values planted in the agent: none may show up in a message, a log line or a cluster object. */
    public static final String API_KEY = "sk-badinput-apikey-7f3a9c0d2e";
    public static final String REGISTRY_PASSWORD = "regpass-badinput-51d2f0aa";
    public static final String STORAGE_KEY = "storkey-badinput-a81c44e9Q==";
    /** Environment variables that hold secrets, all allow-listed for macros (so only the masker protects them). */
    public static final List<String> SECRET_VARS = List.of("WANDB_API_KEY", "REGISTRY_PASSWORD", "AZURE_STORAGE_KEY");

    /** A {@link Case#mustName} entry meaning "the file name and a line number", {@code main/x.json:3:}. */
    public static final String FILE_LINE = "<file>:<line>";

    /** Where a case goes. */
    public enum Target {
        /** A file in the bare main queue's {@code pending/}. */
        ITEM,
        /** A file in the templated queue's {@code pending/} (a queue with a {@code gpus} template variable). */
        TEMPLATED_ITEM,
        /** The {@code queue.yaml} of a queue of its own. */
        QUEUE_CONFIG,
        /** A second agent's {@code launch-config.yaml}, assembled in the same process while the first one serves. */
        LAUNCH_CONFIG
    }

    /**
     * One malformed input.
     *
     * @param category what is wrong, e.g. {@code wrong-type}
     * @param target   where it goes
     * @param ext      the file extension ({@code json}, {@code yaml}); {@code yaml} for queue configs
     * @param content  the file text
     * @param mustName the words the error message must contain (besides the file, which every case must name)
     */
    public record Case(String category, Target target, String ext, String content, List<String> mustName) {
    }

    private final Random random;
    private final int hugeMin;
    private final int hugeMax;

    /**
     * @param seed    the seed of every choice
     * @param hugeMin the smallest huge string, in characters
     * @param hugeMax the largest huge string, in characters
     */
    public MalformedInputs(long seed, int hugeMin, int hugeMax) {
        this.random = new Random(seed);
        this.hugeMin = hugeMin;
        this.hugeMax = hugeMax;
    }

    /** A good item: one run whose pod succeeds. */
    public static String goodItem(String name) {
        return "{\"entity\":\"rel\",\"project\":\"bad-input\",\"name\":\"" + name + "\",\"resource\":\"kubernetes\","
                + "\"docker\":{\"docker_image\":\"python:3.11\"},\"resource_args\":{\"kubernetes\":"
                + "{\"metadata\":{\"namespace\":\"" + NAMESPACE + "\"},\"spec\":{\"template\":{\"metadata\":"
                + "{\"annotations\":{\"" + SimulatedCluster.SCENARIO_ANNOTATION + "\":\"succeed\"}}}}}}}";
    }

    /** Every category's generator, in a fixed order. */
    private List<Generator> generators() {
        return List.of(
                new Generator("broken-json", Target.ITEM, this::brokenJson),
                new Generator("broken-yaml", Target.ITEM, this::brokenYaml),
                new Generator("yaml-tabs", Target.ITEM, this::yamlTabs),
                new Generator("wrong-type", Target.ITEM, this::wrongType),
                new Generator("huge-string", Target.ITEM, this::hugeString),
                new Generator("unknown-resource", Target.ITEM, this::unknownResource),
                new Generator("kind-apiversion", Target.ITEM, this::kind),
                new Generator("invalid-name", Target.ITEM, this::invalidName),
                new Generator("namespace-escape", Target.ITEM, this::namespace),
                new Generator("secret-macro", Target.ITEM, this::secretMacro),
                new Generator("secret-value", Target.ITEM, this::secretValue),
                new Generator("unsafe-option", Target.ITEM, this::unsafe),
                new Generator("cluster-escape", Target.ITEM, this::clusterEscape),
                new Generator("envelope", Target.ITEM, this::envelope),
                new Generator("template-variable", Target.TEMPLATED_ITEM, this::templateVariable),
                new Generator("queue-config", Target.QUEUE_CONFIG, this::queueConfig),
                new Generator("launch-config", Target.LAUNCH_CONFIG, this::launchConfig));
    }

    /** The number of categories. */
    public int categories() {
        return generators().size();
    }

    /**
     * {@code total} distinct cases, spread evenly over the categories (queue configs capped at {@code maxQueues},
     * since each is a queue the agent polls), in a shuffled order.
     */
    public List<Case> generate(int total, int maxQueues) {
        List<Generator> gens = generators();
        int perCategory = Math.max(1, total / gens.size());
        int queues = Math.min(perCategory, maxQueues);
        int itemsPer = Math.max(1, (total - queues) / (gens.size() - 1));
        int extra = Math.max(0, total - queues - itemsPer * (gens.size() - 1));
        Set<String> seen = new LinkedHashSet<>();
        List<Case> out = new ArrayList<>();
        for (int g = 0; g < gens.size(); g++) {
            Generator gen = gens.get(g);
            int n = gen.target() == Target.QUEUE_CONFIG ? queues : itemsPer + (g < extra ? 1 : 0);
            n = gen.target() == Target.LAUNCH_CONFIG ? Math.min(n, LAUNCH_CONFIG_SHAPES * 8) : n;
            int made = 0;
            for (int attempt = 0; made < n && attempt < n * 50; attempt++) {
                Case c = gen.make().make(gen.category(), gen.target());
                if (seen.add(c.target() + c.ext() + c.content())) {
                    out.add(c);
                    made++;
                }
            }
        }
        java.util.Collections.shuffle(out, random);
        return out;
    }

    private record Generator(String category, Target target, Maker make) {
    }

    @FunctionalInterface
    private interface Maker {
        Case make(String category, Target target);
    }

    // ---- items ----

    private String token() {
        return Long.toString(random.nextLong() & 0xffffffffL, 36);
    }

    private <T> T pick(List<T> options) {
        return options.get(random.nextInt(options.size()));
    }

    /** A good spec with {@code k8sExtra} (JSON members) added to {@code resource_args.kubernetes} and top-level extras. */
    private String spec(String top, String k8sMeta, String k8sExtra) {
        return "{\"entity\":\"rel\",\"project\":\"bad-input\",\"name\":\"bad-" + token() + "\","
                + "\"resource\":\"kubernetes\",\"docker\":{\"docker_image\":\"python:3.11\"}" + top + ","
                + "\"resource_args\":{\"kubernetes\":{\"metadata\":{\"namespace\":\"" + NAMESPACE + "\"" + k8sMeta
                + "},\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"" + SimulatedCluster.SCENARIO_ANNOTATION
                + "\":\"succeed\"}}" + k8sExtra + "}}}}}";
    }

    private static Case json(String category, Target t, String content, String... mustName) {
        return new Case(category, t, "json", content, List.of(mustName));
    }

    private Case brokenJson(String category, Target t) {
        String good = spec("", "", "");
        return switch (random.nextInt(5)) {
            case 0 -> json(category, t, good.substring(0, 1 + random.nextInt(good.length() - 2)), FILE_LINE);
            case 1 -> json(category, t, good.replace("\"python:3.11\"}", "\"python:3.11\",}"), FILE_LINE);
            case 2 -> json(category, t, good.replaceFirst("\"project\"", "project"), FILE_LINE);
            case 3 -> json(category, t, good.replace('"', '\'').replace("bad-", "bad-" + token()), FILE_LINE);
            default -> json(category, t, good + "}".repeat(1 + random.nextInt(5)) + token(), FILE_LINE);
        };
    }

    private String yamlSpec(String indent) {
        return "entity: rel\nproject: bad-input\nname: bad-" + token() + "\nresource: kubernetes\n"
                + "docker:\n" + indent + "docker_image: python:3.11\n"
                + "resource_args:\n" + indent + "kubernetes:\n" + indent + indent + "metadata:\n"
                + indent + indent + indent + "namespace: " + NAMESPACE + "\n";
    }

    private Case brokenYaml(String category, Target t) {
        String y = yamlSpec("  ");
        String broken = switch (random.nextInt(4)) {
            case 0 -> y.replace("project: bad-input", "project: \"bad-input");
            case 1 -> y.replace("  docker_image: python:3.11", "docker_image: [python:3.11\n  x: {");
            case 2 -> y.replace("resource: kubernetes", "resource: kubernetes\n   - stray: " + token());
            default -> y + "overrides: {args: [--lr, 0.1}\n";
        };
        return new Case(category, t, "yaml", broken + "# " + token() + "\n", List.of(FILE_LINE));
    }

    private Case yamlTabs(String category, Target t) {
        String y = yamlSpec("  ");
        String[] lines = y.split("\n");
        List<Integer> indented = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith(" ")) {
                indented.add(i);
            }
        }
        int at = pick(indented);
        lines[at] = lines[at].replaceFirst("^ +", "\t".repeat(1 + random.nextInt(2)));
        return new Case(category, t, "yaml", String.join("\n", lines) + "\n# " + token() + "\n",
                List.of(FILE_LINE, "tab"));
    }

    private Case wrongType(String category, Target t) {
        List<String> wrong = List.of("[\"a\",\"b\"]", "{\"x\":1}", "42", "true", "\"" + token() + "\"");
        record Slot(String key, String kindOfValue, List<String> bad) {
        }
        List<Slot> slots = List.of(
                new Slot("resource_args", "mapping", List.of(wrong.get(0), wrong.get(2), wrong.get(4))),
                new Slot("docker", "mapping", List.of(wrong.get(0), wrong.get(3), wrong.get(4))),
                new Slot("overrides", "mapping", List.of(wrong.get(0), wrong.get(2), wrong.get(4))),
                new Slot("git", "mapping", List.of(wrong.get(0), wrong.get(4))),
                new Slot("template_variables", "mapping", List.of(wrong.get(0), wrong.get(4))),
                new Slot("entity", "string", List.of(wrong.get(0), wrong.get(1))),
                new Slot("project", "string", List.of(wrong.get(0), wrong.get(1))),
                new Slot("uri", "string", List.of(wrong.get(0), wrong.get(1))),
                new Slot("_resume_count", "integer", List.of("\"many\"", "-3", "[1]")));
        Slot s = pick(slots);
        String value = pick(s.bad());
        String content = spec("", "", "").replaceFirst("^\\{", "{\"" + s.key() + "\":" + value + ",");
        if (s.key().equals("resource_args") || s.key().equals("docker") || s.key().equals("entity")
                || s.key().equals("project")) {
            // Replace the key's own value rather than adding a duplicate key.
            content = replaceTopLevel(s.key(), value);
        }
        if (random.nextBoolean()) {
            String[] nested = {"overrides.args", "overrides.entry_point", "docker.docker_image",
                "resource_args.kubernetes", "overrides.run_config", "docker.user_id"};
            String key = pick(List.of(nested));
            String v = switch (key) {
                case "overrides.args", "overrides.entry_point" -> pick(List.of("\"--lr 0.1\"", "{\"lr\":0.1}",
                        "[[\"x\"]]", "[{\"a\":1}]", "[null]"));
                case "docker.user_id" -> pick(List.of("\"root\"", "1.5", "[0]"));
                // A number is a fine image name once read as text (docker_image: 12 pulls "12"), so not here.
                case "docker.docker_image" -> pick(List.of("[\"a\"]", "{\"ref\":\"" + token() + "\"}"));
                default -> pick(List.of("[\"a\"]", "\"" + token() + "\"", "12"));
            };
            content = nestedSpec(key, v);
            return json(category, t, content, key.equals("docker.docker_image") ? "docker_image" : key);
        }
        return json(category, t, content, s.key());
    }

    private String replaceTopLevel(String key, String value) {
        String base = "{\"entity\":\"rel\",\"project\":\"bad-input\",\"name\":\"bad-" + token() + "\","
                + "\"resource\":\"kubernetes\",\"docker\":{\"docker_image\":\"python:3.11\"},"
                + "\"resource_args\":{\"kubernetes\":{\"metadata\":{\"namespace\":\"" + NAMESPACE + "\"}}}}";
        return switch (key) {
            case "resource_args" -> base.replaceFirst("\"resource_args\":\\{.*}}$", "\"resource_args\":"
                    + java.util.regex.Matcher.quoteReplacement(value) + "}");
            case "docker" -> base.replace("\"docker\":{\"docker_image\":\"python:3.11\"}", "\"docker\":" + value);
            case "entity" -> base.replace("\"entity\":\"rel\"", "\"entity\":" + value);
            default -> base.replace("\"project\":\"bad-input\"", "\"project\":" + value);
        };
    }

    private String nestedSpec(String key, String value) {
        String docker = "{\"docker_image\":\"python:3.11\"}";
        String overrides = "{\"args\":[\"--epochs\",\"1\"]}";
        String k8s = "{\"metadata\":{\"namespace\":\"" + NAMESPACE + "\"}}";
        switch (key) {
            case "docker.docker_image" -> docker = "{\"docker_image\":" + value + "}";
            case "docker.user_id" -> docker = "{\"docker_image\":\"python:3.11\",\"user_id\":" + value + "}";
            case "overrides.args" -> overrides = "{\"args\":" + value + "}";
            case "overrides.entry_point" -> overrides = "{\"entry_point\":" + value + "}";
            case "overrides.run_config" -> overrides = "{\"run_config\":" + value + "}";
            default -> k8s = value;
        }
        return "{\"entity\":\"rel\",\"project\":\"bad-input\",\"name\":\"bad-" + token() + "\",\"resource\":"
                + "\"kubernetes\",\"docker\":" + docker + ",\"overrides\":" + overrides
                + ",\"resource_args\":{\"kubernetes\":" + k8s + "}}";
    }

    private String huge() {
        int n = hugeMin + random.nextInt(Math.max(1, hugeMax - hugeMin));
        String unit = pick(List.of("a", "x-", "Z", "ab.", "\u00e9"));
        return unit.repeat(Math.max(1, n / unit.length()));
    }

    private Case hugeString(String category, Target t) {
        String h = huge();
        return switch (random.nextInt(4)) {
            case 0 -> json(category, t, spec("", ",\"name\":\"" + h + "\"", ""), "metadata.name");
            case 1 -> json(category, t, spec("", "", "").replace("\"namespace\":\"" + NAMESPACE + "\"",
                    "\"namespace\":\"" + h + "\""), "namespace");
            case 2 -> json(category, t, spec("", "", "").replace("\"resource\":\"kubernetes\"",
                    "\"resource\":\"" + h + "\""), "resource");
            default -> json(category, t, spec(",\"overrides\":{\"args\":\"" + h + "\"}", "", ""), "overrides.args");
        };
    }

    private Case unknownResource(String category, Target t) {
        String r = pick(List.of("kubernets", "k8s", "Kubernetes", "local-proces", "sagemaker", "vertex", "kube",
                "kubernetes-" + token(), "kubernetes job", "KUBERNETES"));
        return json(category, t, spec("", "", "").replace("\"resource\":\"kubernetes\"", "\"resource\":\"" + r + "\""),
                "resource");
    }

    private Case kind(String category, Target t) {
        String[][] options = {
            {"", "Deployment"}, {"", "StatefulSet"}, {"", "Pod"}, {"", "CronJob"}, {"", "DaemonSet"},
            {"kubeflow.org/v1", ""}, {"ray.io/v1", ""}, {"jobset.x-k8s.io/v1alpha2", ""}};
        String[] o = options[random.nextInt(options.length)];
        String members = (o[0].isEmpty() ? "" : ",\"apiVersion\":\"" + o[0] + "\"")
                + (o[1].isEmpty() ? "" : ",\"kind\":\"" + o[1] + "\"");
        String content = spec("", "", "").replace("\"kubernetes\":{\"metadata\"", "\"kubernetes\":{\"x-" + token()
                + "\":null" + members + ",\"metadata\"");
        return json(category, t, content, "resource_args.kubernetes.kind");
    }

    private Case invalidName(String category, Target t) {
        String n = pick(List.of("Bad_Name-" + token(), "-lead-" + token(), "trail-" + token() + "-",
                "UPPER" + token(), "a".repeat(64 + random.nextInt(40)), "has space " + token(),
                "slash/" + token(), "../" + token(), "dot." + token() + ".", "\u00fcn\u00efcode-" + token(),
                "star*" + token()));
        return json(category, t, spec("", ",\"name\":\"" + n + "\"", ""), "metadata.name");
    }

    private Case namespace(String category, Target t) {
        String ns = pick(List.of("kube-system", "../kube-system", "default/../kube-system", "kube-public",
                NAMESPACE + "/../kube-system", "WANDB", "default", "other-" + token(), "..", "kube-" + token(),
                "%2e%2e%2fkube-system", NAMESPACE + "-" + token()));
        String content = random.nextInt(3) == 0
                ? spec("", "", "").replace("\"metadata\":{\"namespace\":\"" + NAMESPACE + "\"}",
                        "\"namespace\":\"" + ns + "\",\"metadata\":{}")
                : spec("", "", "").replace("\"namespace\":\"" + NAMESPACE + "\"", "\"namespace\":\"" + ns + "\"");
        return json(category, t, content, "namespace");
    }

    private Case secretMacro(String category, Target t) {
        String var = pick(SECRET_VARS);
        String macro = "${" + var + "}";
        String where = switch (random.nextInt(5)) {
            case 0 -> ",\"spec\":{\"containers\":[{\"env\":[{\"name\":\"TOKEN_" + token() + "\",\"value\":\"" + macro
                    + "\"}]}]}";
            case 1 -> ",\"spec\":{\"containers\":[{\"args\":[\"--token=" + macro + "\",\"" + token() + "\"]}]}";
            case 2 -> ",\"spec\":{\"containers\":[{\"command\":[\"sh\",\"-c\",\"echo " + macro + " #" + token()
                    + "\"]}]}";
            case 3 -> ",\"spec\":{\"containers\":[{\"env\":[{\"name\":\"X\",\"value\":\"prefix-" + macro + "-"
                    + token() + "\"}]}]}";
            default -> ",\"spec\":{\"containers\":[{\"workingDir\":\"/tmp/" + macro + "/" + token() + "\"}]}";
        };
        String content = spec("", "", where);
        if (random.nextInt(4) == 0) {
            content = spec("", ",\"labels\":{\"tok\":\"" + macro + "\"},\"annotations\":{\"a-" + token() + "\":\"" + macro
                    + "\"}", "");
        }
        return json(category, t, content, var);
    }

    /** A planted secret pasted into the item where it fails, or where it would become a plain env value. */
    private Case secretValue(String category, Target t) {
        String secret = pick(List.of(API_KEY, REGISTRY_PASSWORD, STORAGE_KEY));
        String good = spec("", "", "");
        return switch (random.nextInt(6)) {
            case 0 -> json(category, t, good.replace("\"docker\":{\"docker_image\":\"python:3.11\"}",
                    "\"docker\":\"" + secret + "\""), "docker");
            case 1 -> json(category, t, spec(",\"overrides\":{\"args\":\"--token " + secret + "\"}", "", ""),
                    "overrides.args");
            case 2 -> json(category, t, good.replace("\"resource\":\"kubernetes\"", "\"resource\":\"" + secret
                    + "\""), "resource");
            case 3 -> json(category, t, good.replace("\"namespace\":\"" + NAMESPACE + "\"", "\"namespace\":\""
                    + secret + "\""), "namespace");
            case 4 -> json(category, t, "{\"spec\":" + good + ",\"priority\":\"" + secret + "\"}", "priority");
            default -> json(category, t, spec("", "", ",\"spec\":{\"containers\":[{\"env\":[{\"name\":\"TOKEN_"
                    + token() + "\",\"value\":\"" + secret + "\"}]}]}"), "env[0].value");
        };
    }

    private Case unsafe(String category, Target t) {
        String[][] options = {
            {"\"hostNetwork\":true", "hostNetwork"},
            {"\"hostPID\":true", "hostPID"},
            {"\"volumes\":[{\"name\":\"root\",\"hostPath\":{\"path\":\"/\"}}]", "hostPath"},
            {"\"containers\":[{\"securityContext\":{\"privileged\":true}}]", "privileged"},
            {"\"containers\":[{\"securityContext\":{\"allowPrivilegeEscalation\":true}}]", "allowPrivilegeEscalation"},
            {"\"containers\":[{\"securityContext\":{\"capabilities\":{\"add\":[\"SYS_ADMIN\"]}}}]", "capabilities"}};
        String[] o = options[random.nextInt(options.length)];
        String extra = ",\"spec\":{" + o[0] + ",\"serviceAccountName\":\"sa-" + token() + "\"}";
        return json(category, t, spec("", "", extra), o[1]);
    }

    private Case clusterEscape(String category, Target t) {
        return random.nextBoolean()
                ? json(category, t, spec("", "", "").replace("\"kubernetes\":{\"metadata\"",
                        "\"kubernetes\":{\"context\":\"prod-" + token() + "\",\"metadata\""), "context")
                : json(category, t, spec("", "", "").replace("\"kubernetes\":{\"metadata\"",
                        "\"kubernetes\":{\"configFile\":\"/etc/" + token() + "/kubeconfig\",\"metadata\""),
                        "configFile");
    }

    private Case envelope(String category, Target t) {
        String spec = spec("", "", "");
        return switch (random.nextInt(3)) {
            case 0 -> json(category, t, "{\"spec\":" + spec + ",\"priority\":\"" + pick(List.of("urgent", "p0", "HIGHEST",
                    "9")) + token() + "\"}", "priority");
            case 1 -> json(category, t, "{\"spec\":" + spec + ",\"priority\":[\"high\"]}", "priority");
            default -> {
                String k = pick(List.of("entity", "resource", "queue", "docker")) + token();
                yield json(category, t, "{\"spec\":" + spec + ",\"" + k + "\":\"x\"}", k);
            }
        };
    }

    private Case templateVariable(String category, Target t) {
        String body = "{\"entity\":\"rel\",\"project\":\"bad-input\",\"name\":\"bad-" + token() + "\","
                + "\"docker\":{\"docker_image\":\"python:3.11\"}}";
        return switch (random.nextInt(4)) {
            case 0 -> json(category, t, "{\"template_variables\":{\"gpus\":" + pick(List.of("0", "5", "99", "-1"))
                    + "},\"spec\":" + body + ",\"priority\":\"low\"}", "gpus");
            case 1 -> json(category, t, "{\"template_variables\":{\"gpus\":\"" + pick(List.of("lots", "two", "1.5x"))
                    + token() + "\"},\"spec\":" + body + "}", "gpus");
            case 2 -> {
                String v = pick(SECRET_VARS);
                yield json(category, t, "{\"template_variables\":{\"" + v + "\":\"{{" + v + "}}\"},\"spec\":"
                        + body.replace("\"bad-", "\"bad-" + token()) + "}", v);
            }
            default -> json(category, t, "{\"template_variables\":{\"gpus\":{\"value\":2}},\"spec\":" + body
                    .replace("\"bad-", "\"bad-" + token()) + "}", "gpus");
        };
    }

    // ---- queue configs ----

    private Case queueConfig(String category, Target t) {
        String good = "entity: rel\nresource: kubernetes\nprioritization_mode: V0\ntemplate_variables:\n"
                + "  gpus: {type: integer, minimum: 1, maximum: 4, default: 1}\nconfig:\n  metadata:\n"
                + "    namespace: " + NAMESPACE + "\n    labels: {gpus: \"g{{gpus}}\"}\n# " + token() + "\n";
        return switch (random.nextInt(9)) {
            case 0 -> q(category, good.replace("  metadata:", "\tmetadata:"), "tab");
            case 1 -> q(category, good.replace("    namespace:", "\t\tnamespace:"), "tab");
            case 2 -> q(category, good.replace("entity: rel", "entity: \"rel"), FILE_LINE);
            case 3 -> q(category, good.replace("resource: kubernetes", "resource: " + pick(List.of("Kubernetes!",
                    "k8s job", "kube/netes", "[kubernetes]"))), "resource");
            case 4 -> q(category, good.replace("prioritization_mode: V0", "prioritization_mode: "
                    + pick(List.of("sometimes", "v2", "[V0]", "on"))), "prioritization_mode");
            case 5 -> q(category, good.replace("config:\n  metadata:\n    namespace: " + NAMESPACE
                    + "\n    labels: {gpus: \"g{{gpus}}\"}", "config: " + pick(List.of("[a, b]", "kubernetes",
                    "42"))), "config");
            case 6 -> q(category, good.replace("g{{gpus}}", "g{{" + pick(List.of("gpu", "WANDB_API_KEY",
                    "memory")) + "}}"), "template variable");
            case 7 -> q(category, good.replace("gpus: {type: integer, minimum: 1, maximum: 4, default: 1}",
                    "gpus: {type: " + pick(List.of("int", "float64", "gpu", "[integer]")) + "}"), "gpus");
            default -> q(category, good.replace("template_variables:\n  gpus:", "template_variables: "
                    + pick(List.of("[gpus]", "gpus", "7")) + "\nignored:"), "template_variables");
        };
    }

    private static final int LAUNCH_CONFIG_SHAPES = 9;

    /** An agent config with one thing wrong; {@code PATH} stands for the queue folder the suite gives it. */
    private Case launchConfig(String category, Target t) {
        String good = "entity: rel\nmax_jobs: 4\nqueues:\n  - main-" + token() + "\nbuilder:\n  type: noop\n"
                + "queue_backend:\n  type: directory\n  path: PATH\n";
        return switch (random.nextInt(LAUNCH_CONFIG_SHAPES)) {
            case 0 -> lc(good.replace("type: noop", "type: " + pick(List.of("kanico", "docker", "Kaniko", "buildkit"))
                    + token()), "builder.type");
            case 1 -> lc(good.replace("max_jobs: 4", "max_jobs: " + pick(List.of("many", "[4]", "{n: 4}", "-7"))),
                    "max_jobs");
            case 2 -> lc(good.replace("type: directory", "type: " + pick(List.of("redis", "sqs", "dir"))), "queue_backend");
            case 3 -> lc(good.replace("entity: rel", "entity: \"rel"), FILE_LINE);
            case 4 -> lc(good + "runners:\n  kubernetes:\n    security: " + pick(List.of("lax", "off", "strict"))
                    + "\n", "security");
            case 5 -> lc(good + "runners:\n  kubernetes:\n    macro_env: [DATA_BUCKET, WANDB_API_KEY]\n", "macro_env");
            case 6 -> lc(good + "registry:\n  type: " + pick(List.of("dockerhub", "harbor", "quay")) + "\n", "registry");
            case 7 -> lc(good + "environment:\n  type: " + pick(List.of("azure-cloud", "gcp-x", "openstack")) + "\n",
                    "environment");
            default -> lc(good.replace("queues:\n  - main-", "queues:\n  main-").replace("\nbuilder", ": {x: 1}\nbuilder"),
                    "queues");
        };
    }

    private static Case lc(String content, String mustName) {
        return new Case("launch-config", Target.LAUNCH_CONFIG, "yaml", content, List.of(mustName));
    }

    private static Case q(String category, String content, String mustName) {
        return new Case(category, Target.QUEUE_CONFIG, "yaml", content, List.of(mustName));
    }
}
