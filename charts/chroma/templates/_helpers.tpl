{{/* Labels of every object: the pod selector labels plus the chart's own. */}}
{{- define "chroma.labels" -}}
{{- if not .Values.selectorLabels }}{{ fail "selectorLabels must not be empty" }}{{ end -}}
{{ toYaml .Values.selectorLabels }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
{{- end }}

{{/* Chroma's server configuration (config.yaml). */}}
{{- define "chroma.config" -}}
port: {{ .Values.port | int }}
listen_address: 0.0.0.0
max_payload_size_bytes: {{ .Values.maxPayloadSizeBytes | int64 }}
persist_path: {{ .Values.persistPath | quote }}
allow_reset: false
{{- end }}
