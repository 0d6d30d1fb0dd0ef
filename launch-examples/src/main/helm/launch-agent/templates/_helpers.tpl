{{/* Namespace of the agent: .Values.namespace, else the release namespace (never a hard-coded one). */}}
{{- define "launch-agent.namespace" -}}
{{- default .Release.Namespace .Values.namespace -}}
{{- end -}}

{{/* Namespaces runs may go to: the agent namespace plus additionalTargetNamespaces, de-duplicated. */}}
{{- define "launch-agent.targetNamespaces" -}}
{{- $all := append (.Values.additionalTargetNamespaces | default list) (include "launch-agent.namespace" .) -}}
{{- join "," (uniq $all) -}}
{{- end -}}

{{- define "launch-agent.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (printf "wandb-launch-serviceaccount-%s" .Release.Name) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding the W&B API key under `password`. */}}
{{- define "launch-agent.apiKeySecret" -}}
{{- default (printf "wandb-api-key-%s" .Release.Name) .Values.agent.existingSecret -}}
{{- end -}}

{{- define "launch-agent.createApiKeySecret" -}}
{{- if and (not .Values.agent.useExternalWandbSecret) (not .Values.agent.existingSecret) -}}true{{- end -}}
{{- end -}}

{{- define "launch-agent.gitCredsSecret" -}}
{{- default (printf "git-creds-%s" .Release.Name) .Values.existingGitCredsSecret -}}
{{- end -}}

{{- define "launch-agent.hasGitCreds" -}}
{{- if or .Values.existingGitCredsSecret (trim (default "" .Values.gitCreds)) -}}true{{- end -}}
{{- end -}}

{{- define "launch-agent.azureSecret" -}}
{{- default (printf "azure-storage-access-key-%s" .Release.Name) .Values.existingAzureStorageSecret -}}
{{- end -}}

{{- define "launch-agent.labels" -}}
app.kubernetes.io/name: launch-agent
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Verbs the agent uses: no update, no deletecollection. */}}
{{- define "launch-agent.verbs" -}}
[create, get, list, watch, delete, patch]
{{- end -}}

{{/* The custom resources of rbac.customResources as group/plural, comma-separated: what the agent's startup RBAC
self-check asks for besides Jobs. */}}
{{- define "launch-agent.customResources" -}}
{{- $out := list -}}
{{- range .Values.rbac.customResources -}}
{{- $group := .apiGroup -}}
{{- range .resources -}}
{{- $out = append $out (printf "%s/%s" $group .) -}}
{{- end -}}
{{- end -}}
{{- join "," $out -}}
{{- end -}}
