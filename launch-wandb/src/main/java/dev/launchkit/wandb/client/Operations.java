package dev.launchkit.wandb.client;

/**
 * The GraphQL documents LaunchKit sends to W&B, one constant per operation. Operation names, variables and the
 * fields read are those of the Python SDK (reference: wandb-launch-agent.md §3), so a W&B server (or the testkit's
 * {@code FakeWandbServer}) sees the same protocol from LaunchKit as from {@code wandb launch-agent}.
 */
public final class Operations {
    private Operations() {
    }

    // ------------------------------------------------------------------ agent startup (§1.2, §3.1)

    /** Auth check; {@code viewer} is null for an anonymous caller. */
    public static final String VIEWER = """
            query Viewer {
              viewer { id entity username flags teams { edges { node { name } } } }
            }""";

    /** The run queues of a project ({@code model-registry}). */
    public static final String PROJECT_RUN_QUEUES = """
            query ProjectRunQueues($entity: String!, $projectName: String!) {
              project(entityName: $entity, name: $projectName) {
                runQueues { id name createdBy access }
              }
            }""";

    /** Creates a queue (the agent's {@code default} queue; queue admin). */
    public static final String CREATE_RUN_QUEUE = """
            mutation CreateRunQueue($entity: String!, $project: String!, $queueName: String!, \
            $access: RunQueueAccessType!, $prioritizationMode: RunQueuePrioritizationMode, \
            $defaultResourceConfigID: ID) {
              createRunQueue(input: {entityName: $entity, projectName: $project, queueName: $queueName, \
            access: $access, prioritizationMode: $prioritizationMode, \
            defaultResourceConfigID: $defaultResourceConfigID}) {
                success
                queueID
              }
            }""";

    /** Registers the agent for queue ids. */
    public static final String CREATE_LAUNCH_AGENT = """
            mutation createLaunchAgent($entity: String!, $project: String!, $queues: [ID!]!, $hostname: String!, \
            $agentConfig: JSONString, $version: String) {
              createLaunchAgent(input: {entityName: $entity, projectName: $project, runQueues: $queues, \
            hostname: $hostname, agentConfig: $agentConfig, version: $version}) {
                launchAgentId
              }
            }""";

    /** Whether an entity is a team. */
    public static final String ENTITY_IS_TEAM = """
            query EntityIsTeam($entity: String!) {
              entity(name: $entity) { id isTeam }
            }""";

    /** The agent's record: its name and the {@code stopPolling} flag. */
    public static final String LAUNCH_AGENT = """
            query LaunchAgent($agentId: ID!) {
              launchAgent(id: $agentId) { id name runQueues hostname agentStatus stopPolling heartbeatAt }
            }""";

    /** The agent's status: {@code POLLING}, {@code RUNNING} or {@code KILLED}. */
    public static final String UPDATE_LAUNCH_AGENT = """
            mutation updateLaunchAgent($agentId: ID!, $agentStatus: String) {
              updateLaunchAgent(input: {launchAgentId: $agentId, agentStatus: $agentStatus}) { success }
            }""";

    // ------------------------------------------------------------------ items (§1.3–1.7)

    /** Takes the next item of a queue; null when the queue is empty. */
    public static final String POP_FROM_RUN_QUEUE = """
            mutation popFromRunQueue($entity: String!, $project: String!, $queueName: String!, $launchAgentId: ID) {
              popFromRunQueue(input: {entityName: $entity, projectName: $project, queueName: $queueName, \
            launchAgentId: $launchAgentId}) {
                runQueueItemId
                runSpec
              }
            }""";

    /** Ties the item to its run id. */
    public static final String ACK_RUN_QUEUE_ITEM = """
            mutation ackRunQueueItem($itemId: ID!, $runId: String!) {
              ackRunQueueItem(input: {runQueueItemId: $itemId, runName: $runId}) { success }
            }""";

    /** Ends an item as failed at stage {@code agent}, {@code build} or {@code run}. */
    public static final String FAIL_RUN_QUEUE_ITEM = """
            mutation failRunQueueItem($runQueueItemId: ID!, $message: String!, $stage: String!, \
            $filePaths: [String!]) {
              failRunQueueItem(input: {runQueueItemId: $runQueueItemId, message: $message, stage: $stage, \
            filePaths: $filePaths}) {
                success
              }
            }""";

    /** Attaches a warning to an item (stage {@code Kubernetes} or {@code build}). */
    public static final String UPDATE_RUN_QUEUE_ITEM_WARNING = """
            mutation updateRunQueueItemWarning($runQueueItemId: ID!, $message: String!, $stage: String!, \
            $filePaths: [String!]) {
              updateRunQueueItemWarning(input: {runQueueItemId: $runQueueItemId, message: $message, stage: $stage, \
            filePaths: $filePaths}) {
                success
              }
            }""";

    /** Whether a user pressed stop on a run. */
    public static final String RUN_STOPPED_STATUS = """
            query RunStoppedStatus($projectName: String, $entityName: String, $runId: String!) {
              project(name: $projectName, entityName: $entityName) {
                run(name: $runId) { stopped }
              }
            }""";

    /** A run's state; the run exists once the launched code called {@code wandb.init}. */
    public static final String RUN_STATE = """
            query RunState($project: String!, $entity: String!, $name: String!) {
              project(name: $project, entityName: $entity) {
                run(name: $name) { state }
              }
            }""";

    /** A sweep's state (sweep runs start only while it is RUNNING or PAUSED). */
    public static final String GET_SWEEP_STATE = """
            query GetSweepState($entity: String, $project: String, $sweep: String!) {
              project(name: $project, entityName: $entity) {
                sweep(sweepName: $sweep) { state }
              }
            }""";

    /** Pushes an item by queue name (requeue after preemption; queue admin). */
    public static final String PUSH_TO_RUN_QUEUE_BY_NAME = """
            mutation pushToRunQueueByName($entityName: String!, $projectName: String!, $queueName: String!, \
            $runSpec: JSONString!, $priority: Int, $templateVariableValues: JSONString) {
              pushToRunQueueByName(input: {entityName: $entityName, projectName: $projectName, \
            queueName: $queueName, runSpec: $runSpec, priority: $priority, \
            templateVariableValues: $templateVariableValues}) {
                runQueueItemId
                runSpec
              }
            }""";

    // ------------------------------------------------------------------ queue admin (§3.3, §8.2, §8.3)

    /** Stores a resource config ({@code {"resource_args": {<resource>: ...}}}) with template variables. */
    public static final String CREATE_DEFAULT_RESOURCE_CONFIG = """
            mutation CreateDefaultResourceConfig($entityName: String!, $resource: String!, $config: JSONString!, \
            $templateVariables: JSONString) {
              createDefaultResourceConfig(input: {entityName: $entityName, resource: $resource, config: $config, \
            templateVariables: $templateVariables}) {
                success
                defaultResourceConfigID
              }
            }""";

    /** Creates or updates a queue with its resource config in one call. */
    public static final String UPSERT_RUN_QUEUE = """
            mutation upsertRunQueue($entityName: String!, $projectName: String!, $queueName: String!, \
            $resourceType: String!, $resourceConfig: JSONString!, $templateVariables: JSONString, \
            $prioritizationMode: RunQueuePrioritizationMode, $externalLinks: JSONString) {
              upsertRunQueue(input: {entityName: $entityName, projectName: $projectName, queueName: $queueName, \
            resourceType: $resourceType, resourceConfig: $resourceConfig, templateVariables: $templateVariables, \
            prioritizationMode: $prioritizationMode, externalLinks: $externalLinks}) {
                success
                configSchemaValidationErrors
              }
            }""";

    /** A queue's id, access, config id, prioritization and links. */
    public static final String GET_RUN_QUEUE_METADATA = """
            query GetRunQueueMetadata($projectName: String!, $entityName: String!, $runQueue: String!) {
              project(name: $projectName, entityName: $entityName) {
                runQueue(name: $runQueue) { id access defaultResourceConfigID prioritizationMode externalLinks }
              }
            }""";

    /** A resource config with its template variables. */
    public static final String GET_DEFAULT_RESOURCE_CONFIG = """
            query GetDefaultResourceConfig($entityName: String!, $id: ID!) {
              entity(name: $entityName) {
                defaultResourceConfig(id: $id) { config resource templateVariables { name schema } }
              }
            }""";

    /** The first 100 items of a queue. */
    public static final String GET_RUN_QUEUE_ITEMS = """
            query GetRunQueueItems($projectName: String!, $entityName: String!, $runQueue: String!) {
              project(name: $projectName, entityName: $entityName) {
                runQueue(name: $runQueue) {
                  runQueueItems(first: 100) { edges { node { id } } }
                }
              }
            }""";

    /**
     * The first 100 items of a queue with what the W&B UI shows of them. The Python SDK asks only for {@code id};
     * LaunchKit's queue admin also reads {@code state}, {@code runSpec}, {@code priority} and {@code createdAt}
     * (inferred from the UI's queue table, not read in the SDK).
     */
    public static final String GET_RUN_QUEUE_ITEMS_DETAILED = """
            query GetRunQueueItems($projectName: String!, $entityName: String!, $runQueue: String!) {
              project(name: $projectName, entityName: $entityName) {
                runQueue(name: $runQueue) {
                  runQueueItems(first: 100) { edges { node { id state runSpec priority createdAt } } }
                }
              }
            }""";

    /** One item's state and associated run (also used to recover items after an agent restart). */
    public static final String GET_RUN_QUEUE_ITEM = """
            query GetRunQueueItem($projectName: String!, $entityName: String!, $runQueue: String!, $itemId: ID!) {
              project(name: $projectName, entityName: $entityName) {
                runQueue(name: $runQueue) {
                  runQueueItem(id: $itemId) { id state associatedRunId }
                }
              }
            }""";

    /** Removes an item from a queue. */
    public static final String DELETE_FROM_RUN_QUEUE = """
            mutation DeleteFromRunQueue($queueID: ID!, $runQueueItemId: ID!) {
              deleteFromRunQueue(input: {queueID: $queueID, runQueueItemId: $runQueueItemId}) {
                success
                clientMutationId
              }
            }""";

    /** Deletes a queue. */
    public static final String DELETE_RUN_QUEUE = """
            mutation DeleteRunQueue($id: ID!) {
              deleteRunQueues(input: {queueIDs: [$id]}) {
                success
                clientMutationId
              }
            }""";

    // ------------------------------------------------------------------ job artifacts (§3.5, §7)

    /** An artifact version by {@code collection:alias} within a project. */
    public static final String ARTIFACT_MEMBERSHIP_BY_NAME = """
            query ArtifactMembershipByName($entity: String!, $project: String!, $name: String!) {
              project(name: $project, entityName: $entity) {
                artifactCollectionMembership(name: $name) {
                  id
                  versionIndex
                  aliases { id alias }
                  artifactCollection { name project { name entity { name } } }
                  artifact { id state versionIndex artifactType { name } }
                }
              }
            }""";

    /** An artifact by id (code artifacts referenced as {@code wandb-artifact://_id/<id>}). */
    public static final String ARTIFACT_BY_ID = """
            query ArtifactByID($id: ID!) {
              artifact(id: $id) {
                id
                state
                versionIndex
                artifactType { name }
                artifactSequence { name project { name entity { name } } }
              }
            }""";

    /** The signed URL of an artifact's manifest. */
    public static final String FETCH_ARTIFACT_MANIFEST = """
            query FetchArtifactManifest($id: ID!) {
              artifact(id: $id) {
                currentManifest { file { directUrl } }
              }
            }""";

    /** Signed URLs of an artifact's files, a page at a time. */
    public static final String GET_ARTIFACT_FILE_URLS = """
            query GetArtifactFileUrls($id: ID!, $cursor: String, $perPage: Int) {
              artifact(id: $id) {
                files(after: $cursor, first: $perPage) {
                  pageInfo { endCursor hasNextPage }
                  edges { node { name directUrl } }
                }
              }
            }""";
}
