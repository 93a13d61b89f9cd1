{{/*
The Temporal connection, as @temporalio/envconfig reads it from the
environment; TLS files come from one Secret mounted read-only.
*/}}
{{- define "aivenator.temporalTlsDir" -}}/etc/aivenator/temporal-tls{{- end }}

{{- define "aivenator.validateTemporal" -}}
{{- $tls := .Values.temporal.tls }}
{{- if not .Values.temporal.address }}{{ fail "temporal.address is required" }}{{ end }}
{{- if ne (empty $tls.certKey) (empty $tls.keyKey) }}
{{- fail "temporal.tls.certKey and temporal.tls.keyKey go together: a client certificate needs its key" }}
{{- end }}
{{- if and (or $tls.caKey $tls.certKey) (not $tls.secretName) }}
{{- fail "temporal.tls.secretName is required when temporal.tls.caKey or certKey is set" }}
{{- end }}
{{- if and (or $tls.caKey $tls.certKey $tls.serverName) (not $tls.enabled) }}
{{- fail "temporal.tls.enabled must be true when TLS files or a server name are set" }}
{{- end }}
{{- end }}

{{- define "aivenator.temporalEnv" -}}
- name: TEMPORAL_ADDRESS
  value: {{ .Values.temporal.address | quote }}
- name: TEMPORAL_NAMESPACE
  value: {{ .Values.temporal.namespace | quote }}
- name: AIVENATOR_TASK_QUEUE
  value: {{ .Values.temporal.taskQueue | quote }}
{{- with .Values.temporal.apiKey }}
{{- if .secretName }}
- name: TEMPORAL_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .key }}
{{- end }}
{{- end }}
{{- with .Values.temporal.tls }}
{{- if .enabled }}
- name: TEMPORAL_TLS
  value: "true"
{{- if .serverName }}
- name: TEMPORAL_TLS_SERVER_NAME
  value: {{ .serverName | quote }}
{{- end }}
{{- if .caKey }}
- name: TEMPORAL_TLS_SERVER_CA_CERT_PATH
  value: {{ printf "%s/%s" (include "aivenator.temporalTlsDir" $) .caKey | quote }}
{{- end }}
{{- if .certKey }}
- name: TEMPORAL_TLS_CLIENT_CERT_PATH
  value: {{ printf "%s/%s" (include "aivenator.temporalTlsDir" $) .certKey | quote }}
- name: TEMPORAL_TLS_CLIENT_KEY_PATH
  value: {{ printf "%s/%s" (include "aivenator.temporalTlsDir" $) .keyKey | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{- define "aivenator.temporalTlsMounted" -}}
{{- if and .Values.temporal.tls.enabled .Values.temporal.tls.secretName }}true{{ end }}
{{- end }}

{{/* The environment both components share. */}}
{{- define "aivenator.commonEnv" -}}
{{ include "aivenator.temporalEnv" . }}
- name: AIVENATOR_METRICS_ADDRESS
  value: {{ printf "0.0.0.0:%d" (int .Values.metrics.port) | quote }}
- name: AIVENATOR_LOG_FORMAT
  value: {{ .Values.log.format | quote }}
- name: AIVENATOR_LOG_LEVEL
  value: {{ .Values.log.level | quote }}
- name: AIVENATOR_SYNC_PERIOD
  value: {{ .Values.syncPeriod | quote }}
{{- if .Values.watchNamespace }}
- name: AIVENATOR_WATCH_NAMESPACE
  value: {{ .Values.watchNamespace | quote }}
{{- end }}
{{- end }}
