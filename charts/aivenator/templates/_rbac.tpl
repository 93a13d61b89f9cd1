{{/*
Least privilege: every rule is an API call in the sources.
test/unit/cli/deploy-files.test.ts checks the rendered rules against those calls;
test/integration/deploy/rbac.test.ts runs Aivenator under exactly these rules.
*/}}

{{/* The controller watches AivenApplications and Aivenator's Secrets and tells Temporal; it never writes to the cluster. */}}
{{- define "aivenator.controllerRules" -}}
- apiGroups: ["aiven.nais.io"]
  resources: ["aivenapplications"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["list", "watch"]
{{- end }}

{{/*
The worker runs the activities:
  aivenapplications            get (read the app), list + watch (the janitor's cache), delete (expiresAt passed)
  aivenapplications/status     patch (status and conditions)
  secrets                      get, list + watch (the janitor's metadata cache), create + patch (server-side apply;
                               a JSON patch removes the finalizer), delete (janitor)
  events.k8s.io events         create
  aiven.io opensearches/valkeys get (the instance must be RUNNING in the app's namespace)
  pods and workload kinds      list + watch (the janitor's caches and its live confirmation: is a Secret in use?)
*/}}
{{- define "aivenator.workerRules" -}}
- apiGroups: ["aiven.nais.io"]
  resources: ["aivenapplications"]
  verbs: ["get", "list", "watch", "delete"]
- apiGroups: ["aiven.nais.io"]
  resources: ["aivenapplications/status"]
  verbs: ["patch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create"]
- apiGroups: ["aiven.io"]
  resources: ["opensearches", "valkeys"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
- apiGroups: ["apps"]
  resources: ["replicasets", "deployments", "statefulsets", "daemonsets"]
  verbs: ["list", "watch"]
- apiGroups: ["batch"]
  resources: ["jobs", "cronjobs"]
  verbs: ["list", "watch"]
{{- end }}
