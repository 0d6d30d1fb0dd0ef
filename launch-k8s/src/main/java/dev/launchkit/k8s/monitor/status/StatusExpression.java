package dev.launchkit.k8s.monitor.status;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A small boolean expression over a resource's JSON, in the spirit of Argo's resource-template
 * {@code successCondition} / {@code failureCondition}, used to monitor kinds that no built-in mapper knows.
 *
 * <p>Examples:
 * <pre>
 * status.phase == Succeeded
 * status.failed &gt; 2
 * status.phase in (Failed, Error)
 * status.succeeded &gt;= 1, status.active == 0          (comma = and, as in Argo)
 * status.conditions[type==Complete].status == True    (filter a list by a field)
 * status.conditions[?(@.type=='Failed')].status == "True"   (the JSONPath spelling of the same)
 * status.completionTime                               (true when the field exists and is not null)
 * !status.startTime || status.phase != Running
 * metadata.labels["example.com/done"] == "yes"
 * </pre>
 *
 * <p>Grammar: {@code or := and ('||' and)*}, {@code and := unary ((',' | '&&') unary)*},
 * {@code unary := '!' unary | '(' or ')' | requirement}, {@code requirement := path [op value | (in|notin) '('
 * value, ... ')']}, operators {@code == = != > >= < <=}. A path is dotted keys with {@code [n]}, {@code [*]},
 * {@code ["quoted.key"]} and {@code [field==value]} filters. A path can match several nodes (wildcards,
 * filters): a positive comparison holds when any of them matches; {@code !=} and {@code notin} hold when none is
 * equal (including when the path is missing). Numbers compare numerically when both sides are numbers (a string
 * holding a number counts), everything else compares as text, case-sensitively.
 *
 * <p>Immutable and thread-safe.
 */
public final class StatusExpression {
    private final String text;
    private final Node root;

    private StatusExpression(String text, Node root) {
        this.text = text;
        this.root = root;
    }

    /**
     * Parses an expression.
     *
     * @throws IllegalArgumentException with the position and what was expected, when the text is not an expression
     */
    public static StatusExpression parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isBlank()) {
            throw new IllegalArgumentException("the expression is empty");
        }
        Parser p = new Parser(text);
        Node n = p.or();
        p.skipSpace();
        if (!p.atEnd()) {
            throw p.error("unexpected '" + p.rest() + "'");
        }
        return new StatusExpression(text, n);
    }

    /** Whether the expression holds for the given resource. */
    public boolean test(JsonNode object) {
        return root.test(object);
    }

    /** The expression as written. */
    @Override
    public String toString() {
        return text;
    }

    // ---- evaluation tree ----

    private sealed interface Node permits Or, And, Not, Exists, Compare, In {
        boolean test(JsonNode root);
    }

    private record Or(Node left, Node right) implements Node {
        @Override
        public boolean test(JsonNode root) {
            return left.test(root) || right.test(root);
        }
    }

    private record And(Node left, Node right) implements Node {
        @Override
        public boolean test(JsonNode root) {
            return left.test(root) && right.test(root);
        }
    }

    private record Not(Node inner) implements Node {
        @Override
        public boolean test(JsonNode root) {
            return !inner.test(root);
        }
    }

    private record Exists(Path path) implements Node {
        @Override
        public boolean test(JsonNode root) {
            return path.resolve(root).stream().anyMatch(n -> !n.isNull() && !n.isMissingNode());
        }
    }

    private record Compare(Path path, String op, String value) implements Node {
        @Override
        public boolean test(JsonNode root) {
            List<JsonNode> nodes = path.resolve(root);
            if (op.equals("!=")) {
                return nodes.stream().noneMatch(n -> compare(n, "==", value));
            }
            return nodes.stream().anyMatch(n -> compare(n, op, value));
        }
    }

    private record In(Path path, List<String> values, boolean negated) implements Node {
        @Override
        public boolean test(JsonNode root) {
            boolean any = path.resolve(root).stream()
                    .anyMatch(n -> values.stream().anyMatch(v -> compare(n, "==", v)));
            return negated != any;
        }
    }

    /** Compares one JSON node with a literal. */
    static boolean compare(JsonNode node, String op, String literal) {
        if (node == null || node.isMissingNode() || node.isNull() || node.isContainerNode()) {
            return false;
        }
        String actual = node.asText();
        BigDecimal a = number(actual);
        BigDecimal b = number(literal);
        int cmp = a != null && b != null ? a.compareTo(b) : actual.compareTo(literal);
        return switch (op) {
            case "==", "=" -> cmp == 0;
            case ">" -> cmp > 0;
            case ">=" -> cmp >= 0;
            case "<" -> cmp < 0;
            case "<=" -> cmp <= 0;
            default -> throw new IllegalStateException("operator " + op);
        };
    }

    private static BigDecimal number(String s) {
        if (s.isEmpty() || !(Character.isDigit(s.charAt(0)) || s.charAt(0) == '-' || s.charAt(0) == '+'
                || s.charAt(0) == '.')) {
            return null;
        }
        try {
            return new BigDecimal(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    // ---- paths ----

    private sealed interface Step permits Key, Index, Wildcard, Filter {
        void apply(JsonNode node, List<JsonNode> out);
    }

    private record Key(String name) implements Step {
        @Override
        public void apply(JsonNode node, List<JsonNode> out) {
            JsonNode child = node.get(name);
            if (child != null) {
                out.add(child);
            }
        }
    }

    private record Index(int index) implements Step {
        @Override
        public void apply(JsonNode node, List<JsonNode> out) {
            if (node.isArray()) {
                int i = index < 0 ? node.size() + index : index;
                if (i >= 0 && i < node.size()) {
                    out.add(node.get(i));
                }
            }
        }
    }

    private record Wildcard() implements Step {
        @Override
        public void apply(JsonNode node, List<JsonNode> out) {
            if (node.isArray() || node.isObject()) {
                node.elements().forEachRemaining(out::add);
            }
        }
    }

    private record Filter(Path field, String op, String value) implements Step {
        @Override
        public void apply(JsonNode node, List<JsonNode> out) {
            if (!node.isArray()) {
                return;
            }
            Compare c = new Compare(field, op, value);
            for (JsonNode element : node) {
                if (c.test(element)) {
                    out.add(element);
                }
            }
        }
    }

    private record Path(String text, List<Step> steps) {
        List<JsonNode> resolve(JsonNode root) {
            List<JsonNode> current = List.of(root);
            for (Step step : steps) {
                List<JsonNode> next = new ArrayList<>();
                for (JsonNode n : current) {
                    step.apply(n, next);
                }
                if (next.isEmpty()) {
                    return List.of();
                }
                current = next;
            }
            return current;
        }
    }

    // ---- parser ----

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        Node or() {
            Node left = and();
            while (true) {
                skipSpace();
                if (!eat("||")) {
                    return left;
                }
                left = new Or(left, and());
            }
        }

        Node and() {
            Node left = unary();
            while (true) {
                skipSpace();
                if (!eat("&&") && !eat(",")) {
                    return left;
                }
                left = new And(left, unary());
            }
        }

        Node unary() {
            skipSpace();
            if (peek("!") && !peek("!=")) {
                pos++;
                return new Not(unary());
            }
            if (eat("(")) {
                Node inner = or();
                skipSpace();
                expect(")");
                return inner;
            }
            return requirement();
        }

        Node requirement() {
            Path path = path(false);
            skipSpace();
            String op = operator();
            if (op != null) {
                return new Compare(path, op, value());
            }
            if (word("notin")) {
                return new In(path, list(), true);
            }
            if (word("in")) {
                return new In(path, list(), false);
            }
            return new Exists(path);
        }

        private boolean word(String w) {
            if (s.startsWith(w, pos) && (pos + w.length() >= s.length()
                    || !Character.isLetterOrDigit(s.charAt(pos + w.length())))) {
                pos += w.length();
                return true;
            }
            return false;
        }

        private List<String> list() {
            skipSpace();
            expect("(");
            List<String> values = new ArrayList<>();
            do {
                values.add(value());
                skipSpace();
            } while (eat(","));
            expect(")");
            return List.copyOf(values);
        }

        private String operator() {
            for (String op : new String[] {"==", "!=", ">=", "<=", "=", ">", "<"}) {
                if (eat(op)) {
                    return op.equals("=") ? "==" : op;
                }
            }
            return null;
        }

        /** A path; inside a filter ({@code inFilter}) it may start with {@code @.}. */
        Path path(boolean inFilter) {
            skipSpace();
            int start = pos;
            List<Step> steps = new ArrayList<>();
            if (inFilter && eat("@")) {
                if (!eat(".")) {
                    return new Path("@", steps);
                }
            } else if (!eat("$.")) {
                eat(".");
            }
            if (atEnd() || !(isKeyChar(s.charAt(pos)) || s.charAt(pos) == '[')) {
                throw error("expected a field path such as status.phase");
            }
            if (s.charAt(pos) != '[') {
                steps.add(new Key(key()));
            }
            while (!atEnd()) {
                if (eat(".")) {
                    steps.add(new Key(key()));
                } else if (eat("[")) {
                    steps.add(bracket());
                } else {
                    break;
                }
            }
            return new Path(s.substring(start, pos), List.copyOf(steps));
        }

        private Step bracket() {
            skipSpace();
            Step step;
            if (eat("*")) {
                step = new Wildcard();
            } else if (peek("\"") || peek("'")) {
                step = new Key(quoted());
            } else if (!atEnd() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '-')) {
                int start = pos;
                pos++;
                while (!atEnd() && Character.isDigit(s.charAt(pos))) {
                    pos++;
                }
                step = new Index(Integer.parseInt(s.substring(start, pos)));
            } else {
                boolean jsonPath = eat("?");
                skipSpace();
                boolean paren = eat("(");
                Path field = path(true);
                skipSpace();
                String op = operator();
                if (op == null) {
                    throw error("expected a comparison such as [type==Complete] inside [ ]");
                }
                String value = value();
                skipSpace();
                if (paren) {
                    expect(")");
                } else if (jsonPath) {
                    throw error("expected '(' after '[?'");
                }
                step = new Filter(field, op, value);
            }
            skipSpace();
            expect("]");
            return step;
        }

        private String key() {
            int start = pos;
            while (!atEnd() && isKeyChar(s.charAt(pos))) {
                pos++;
            }
            if (start == pos) {
                throw error("expected a field name");
            }
            return s.substring(start, pos);
        }

        private static boolean isKeyChar(char c) {
            return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '$';
        }

        /** A literal: quoted, or a bare word up to a space, comma or closing bracket. */
        String value() {
            skipSpace();
            if (peek("\"") || peek("'")) {
                return quoted();
            }
            int start = pos;
            while (!atEnd() && !Character.isWhitespace(s.charAt(pos)) && ",)]|&".indexOf(s.charAt(pos)) < 0) {
                pos++;
            }
            if (start == pos) {
                throw error("expected a value");
            }
            return s.substring(start, pos);
        }

        private String quoted() {
            char q = s.charAt(pos++);
            StringBuilder sb = new StringBuilder();
            while (!atEnd() && s.charAt(pos) != q) {
                char c = s.charAt(pos++);
                if (c == '\\' && !atEnd()) {
                    c = s.charAt(pos++);
                }
                sb.append(c);
            }
            if (atEnd()) {
                throw error("unterminated string starting with " + q);
            }
            pos++;
            return sb.toString();
        }

        void skipSpace() {
            while (!atEnd() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        String rest() {
            return s.substring(pos);
        }

        private boolean peek(String t) {
            return s.startsWith(t, pos);
        }

        private boolean eat(String t) {
            if (s.startsWith(t, pos)) {
                pos += t.length();
                return true;
            }
            return false;
        }

        private void expect(String t) {
            skipSpace();
            if (!eat(t)) {
                throw error("expected '" + t + "'");
            }
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("at column " + (pos + 1) + " of '" + s + "': " + what);
        }
    }
}
