{{/*
One component's Deployment: (dict "root" $ "component" "worker" "env" <extra env YAML>).
The image runs `aivenator <component>`; /healthz and /readyz share the metrics port.
*/}}
{{- define "aivenator.deployment" -}}
{{- $root := .root }}
{{- $values := index $root.Values .component }}
{{- include "aivenator.validateTemporal" $root }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "aivenator.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "aivenator.componentLabels" . | nindent 4 }}
spec:
  replicas: {{ $values.replicas }}
  selector:
    matchLabels:
      {{- include "aivenator.componentSelectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "aivenator.componentSelectorLabels" . | nindent 8 }}
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ $root.Values.metrics.port | quote }}
        prometheus.io/path: /metrics
        {{- with $values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "aivenator.componentName" . }}
      automountServiceAccountToken: true
      # The worker gives running activities 20 s to finish on SIGTERM.
      terminationGracePeriodSeconds: 30
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ .component }}
          image: {{ include "aivenator.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: [{{ .component | quote }}]
          env:
            {{- include "aivenator.env" . | nindent 12 }}
          ports:
            - name: metrics
              containerPort: {{ $root.Values.metrics.port }}
          livenessProbe:
            httpGet:
              path: /healthz
              port: metrics
            periodSeconds: 10
            failureThreshold: 3
          readinessProbe:
            httpGet:
              path: /readyz
              port: metrics
            periodSeconds: 5
            failureThreshold: 2
          startupProbe:
            httpGet:
              path: /healthz
              port: metrics
            periodSeconds: 2
            failureThreshold: 30
          resources:
            {{- toYaml $values.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if include "aivenator.temporalTlsMounted" $root }}
            - name: temporal-tls
              mountPath: {{ include "aivenator.temporalTlsDir" $root }}
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir: {}
        {{- if include "aivenator.temporalTlsMounted" $root }}
        - name: temporal-tls
          secret:
            secretName: {{ $root.Values.temporal.tls.secretName }}
            # 0400, written in decimal: YAML 1.1 and 1.2 parsers read 0400 differently.
            defaultMode: 256
        {{- end }}
      {{- with $values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}

{{/*
The container's environment: the chart's variables, then extraEnv (global,
then the component's), which replaces a variable of the same name: the
apiserver refuses a list with a name twice.
*/}}
{{- define "aivenator.env" -}}
{{- $env := include "aivenator.commonEnv" .root | fromYamlArray }}
{{- if .env }}{{ $env = concat $env (.env | fromYamlArray) }}{{ end }}
{{- $overrides := concat (.root.Values.extraEnv | default list) ((index .root.Values .component).extraEnv | default list) }}
{{- $replaced := list }}
{{- range $overrides }}{{ $replaced = append $replaced .name }}{{ end }}
{{- $final := list }}
{{- range $env }}{{ if not (has .name $replaced) }}{{ $final = append $final . }}{{ end }}{{ end }}
{{- $byName := dict }}
{{- range $overrides }}{{ $_ := set $byName .name . }}{{ end }}
{{- range $overrides }}{{ if hasKey $byName .name }}{{ $final = append $final (get $byName .name) }}{{ $_ := unset $byName .name }}{{ end }}{{ end }}
{{- toYaml $final }}
{{- end }}

{{- define "aivenator.workerEnv" -}}
- name: AIVENATOR_AIVEN_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ required "aiven.tokenSecret.name is required" .Values.aiven.tokenSecret.name }}
      key: {{ .Values.aiven.tokenSecret.key }}
- name: AIVENATOR_PROJECTS
  value: {{ join " " .Values.aiven.projects | quote }}
- name: AIVENATOR_MAIN_PROJECT
  value: {{ required "aiven.mainProject is required" .Values.aiven.mainProject | quote }}
{{- with .Values.aiven.url }}
- name: AIVENATOR_AIVEN_URL
  value: {{ . | quote }}
{{- end }}
{{- with .Values.aiven.rateLimit }}
- name: AIVENATOR_AIVEN_RATE_LIMIT
  value: {{ . | quote }}
{{- end }}
- name: AIVENATOR_DRIFT_INTERVAL
  value: {{ .Values.driftInterval | quote }}
- name: AIVENATOR_MAX_CONCURRENT_ACTIVITIES
  value: {{ .Values.worker.maxConcurrentActivities | quote }}
- name: AIVENATOR_MAX_CONCURRENT_WORKFLOW_TASKS
  value: {{ .Values.worker.maxConcurrentWorkflowTasks | quote }}
- name: AIVENATOR_MAX_CACHED_WORKFLOWS
  value: {{ .Values.worker.maxCachedWorkflows | quote }}
{{- end }}
