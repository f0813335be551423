{{/* Name of the chart, or nameOverride. */}}
{{- define "wdo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Prefix of every resource name: fullnameOverride, or <release>-<name> unless the release name already contains it. */}}
{{- define "wdo.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := include "wdo.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "wdo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wdo.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "wdo.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "wdo.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "wdo.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "wdo.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "wdo.leaseName" -}}
{{- default (include "wdo.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{/*
The rules the operator needs on the resources it watches, in one place for the ClusterRole and the
per-namespace Roles. It reads WorkerDeployments and writes only their status (never spec), reads the
credential Secrets they name, and records Events.
*/}}
{{- define "wdo.resourceRules" -}}
- apiGroups: ["cfworkers.io"]
  resources: ["workerdeployments"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["cfworkers.io"]
  resources: ["workerdeployments/status"]
  verbs: ["get", "update", "patch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}
