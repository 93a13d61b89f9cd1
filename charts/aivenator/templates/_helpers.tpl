{{/* Names and labels shared by every object of the release. */}}
{{- define "aivenator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "aivenator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "aivenator.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "aivenator.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "aivenator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "aivenator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "aivenator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "aivenator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The name of one component's objects: (dict "root" $ "component" "worker"). */}}
{{- define "aivenator.componentName" -}}
{{- printf "%s-%s" (include "aivenator.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "aivenator.componentSelectorLabels" -}}
{{ include "aivenator.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "aivenator.componentLabels" -}}
{{ include "aivenator.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "aivenator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
