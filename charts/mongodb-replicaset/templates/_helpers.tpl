{{/* A password kept across upgrades: the existing secret's value, or a new random one on first install. */}}
{{- define "mongodb-replicaset.password" -}}
{{- $secret := lookup "v1" "Secret" .namespace .name -}}
{{- if and $secret $secret.data (hasKey $secret.data "password") -}}
{{- index $secret.data "password" -}}
{{- else -}}
{{- randAlphaNum 40 | b64enc -}}
{{- end -}}
{{- end -}}

{{- define "mongodb-replicaset.securityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: false
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}
