{{/*
Names, labels and the settings every service shares. Service helpers take a context
`dict "root" $ "name" "<service>"`; the service's values are `index $.Values <name>`.
*/}}

{{/* The long-running services, in pipeline order. */}}
{{- define "threadcast.services" -}}
ingest enrich route gateway
{{- end }}

{{- define "threadcast.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "threadcast.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* <fullname>-<service>, the name of every object of one service. */}}
{{- define "threadcast.serviceName" -}}
{{- printf "%s-%s" (include "threadcast.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "threadcast.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "threadcast.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: threadcast
{{- end }}

{{/* Labels of one service's objects. */}}
{{- define "threadcast.serviceLabels" -}}
{{ include "threadcast.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/* Selector of one service's pods (never changes across upgrades). */}}
{{- define "threadcast.selectorLabels" -}}
app.kubernetes.io/name: {{ include "threadcast.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "threadcast.image" -}}
{{- $img := .root.Values.image }}
{{- printf "%s/%s:%s" $img.repository .name ($img.tag | default .root.Chart.AppVersion) }}
{{- end }}

{{- define "threadcast.serviceAccountName" -}}
{{- $sa := (index .root.Values .name).serviceAccount }}
{{- if $sa.create }}
{{- default (include "threadcast.serviceName" .) $sa.name }}
{{- else }}
{{- default "default" $sa.name }}
{{- end }}
{{- end }}

{{/*
Non-secret settings shared by every Kafka client (the services and the topics job), as
`NAME: "value"` lines: Kafka, logging and OpenTelemetry.
*/}}
{{- define "threadcast.sharedConfig" -}}
{{- $v := .root.Values -}}
KAFKA_BROKERS: {{ join "," $v.kafka.brokers | quote }}
KAFKA_SSL: {{ $v.kafka.tls.enabled | toString | quote }}
KAFKA_SASL_MECHANISM: {{ $v.kafka.sasl.mechanism | quote }}
{{- if and (ne $v.kafka.sasl.mechanism "none") $v.kafka.sasl.username }}
KAFKA_SASL_USERNAME: {{ $v.kafka.sasl.username | quote }}
{{- end }}
KAFKA_PARTITIONS: {{ $v.kafka.partitions | toString | quote }}
KAFKA_REPLICATION_FACTOR: {{ $v.kafka.replicationFactor | toString | quote }}
LOG_LEVEL: {{ $v.global.logLevel | quote }}
{{- if $v.kafka.tls.caSecret }}
NODE_EXTRA_CA_CERTS: {{ printf "/etc/threadcast/kafka-ca/%s" $v.kafka.tls.caKey | quote }}
{{- end }}
OTEL_SDK_DISABLED: {{ not $v.otel.enabled | toString | quote }}
OTEL_SERVICE_NAME: {{ .name | quote }}
{{- if $v.otel.enabled }}
{{- with $v.otel.endpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
OTEL_EXPORTER_OTLP_PROTOCOL: {{ $v.otel.protocol | quote }}
OTEL_TRACES_SAMPLER: {{ $v.otel.sampler | quote }}
{{- with $v.otel.samplerArg }}
OTEL_TRACES_SAMPLER_ARG: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* The settings the chart itself gives one service: shared ones, then its own. */}}
{{- define "threadcast.builtinConfig" -}}
{{- $s := index .root.Values .name -}}
{{- include "threadcast.sharedConfig" . }}
SHUTDOWN_TIMEOUT_MS: {{ $s.shutdownTimeoutMs | toString | quote }}
OPS_PORT: {{ $s.opsPort | toString | quote }}
{{- if eq .name "ingest" }}
INGEST_PORT: {{ $s.port | toString | quote }}
{{- else if eq .name "gateway" }}
GATEWAY_PORT: {{ $s.port | toString | quote }}
GATEWAY_DRAIN_MS: {{ $s.drainMs | toString | quote }}
{{- with $s.auth.jwksUrl }}
GATEWAY_JWT_JWKS_URL: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Everything one service (or the topics job) reads from its environment but secrets: the chart's
settings, overridden by its `config` map; sorted by name.
*/}}
{{- define "threadcast.configData" -}}
{{- $data := fromYaml (include (ternary "threadcast.sharedConfig" "threadcast.builtinConfig" (eq .name "topics")) .) }}
{{- range $k, $val := (index .root.Values .name).config }}
{{- $_ := set $data $k (toString $val) }}
{{- end }}
{{- range $k, $val := $data }}
{{ $k }}: {{ $val | quote }}
{{- end }}
{{- end }}

{{/*
Environment entries of a container that are not in its ConfigMap: the pod's identity (for
logs, consumer ids and trace resources) and every value that comes from a Secret.
*/}}
{{- define "threadcast.podEnv" -}}
{{- $v := .root.Values -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: SERVICE_INSTANCE_ID
  value: $(POD_NAME)
{{- if $v.otel.enabled }}
{{- $attrs := list "k8s.pod.name=$(POD_NAME)" "k8s.namespace.name=$(POD_NAMESPACE)" "service.namespace=threadcast" }}
{{- range $k, $val := $v.otel.resourceAttributes }}
{{- $attrs = append $attrs (printf "%s=%s" $k (toString $val)) }}
{{- end }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ join "," $attrs | quote }}
{{- with $v.otel.headersSecret }}
- name: OTEL_EXPORTER_OTLP_HEADERS
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $v.otel.headersKey }}
{{- end }}
{{- end }}
{{- if ne $v.kafka.sasl.mechanism "none" }}
{{- if not $v.kafka.sasl.username }}
- name: KAFKA_SASL_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ $v.kafka.sasl.existingSecret }}
      key: {{ $v.kafka.sasl.usernameKey }}
{{- end }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $v.kafka.sasl.existingSecret }}
      key: {{ $v.kafka.sasl.passwordKey }}
{{- end }}
{{- end }}

{{/* Volumes every pod mounts: a writable /tmp (the root filesystem is read-only) and the Kafka CA. */}}
{{- define "threadcast.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- with .root.Values.kafka.tls.caSecret }}
- name: kafka-ca
  secret:
    secretName: {{ . }}
{{- end }}
{{- end }}

{{- define "threadcast.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .root.Values.kafka.tls.caSecret }}
- name: kafka-ca
  mountPath: /etc/threadcast/kafka-ca
  readOnly: true
{{- end }}
{{- end }}

{{/*
Values that types alone cannot check; a bad combination stops the install with a message
naming the field.
*/}}
{{- define "threadcast.validate" -}}
{{- $v := .Values }}
{{- if and (ne $v.kafka.sasl.mechanism "none") (not $v.kafka.sasl.existingSecret) }}
{{- fail "kafka.sasl.existingSecret: name the Secret with the SASL username and password (the chart never creates one)" }}
{{- end }}
{{- range $name := splitList " " (include "threadcast.services" .) }}
{{- $s := index $v $name }}
{{- if $s.enabled }}
{{- $needMs := add (mul $s.preStopSleepSeconds 1000) $s.shutdownTimeoutMs }}
{{- if le (mul $s.terminationGracePeriodSeconds 1000) $needMs }}
{{- fail (printf "%s.terminationGracePeriodSeconds: %d s does not cover preStopSleepSeconds (%d s) plus shutdownTimeoutMs (%d ms); the pod would be killed mid-shutdown" $name (int $s.terminationGracePeriodSeconds) (int $s.preStopSleepSeconds) (int $s.shutdownTimeoutMs)) }}
{{- end }}
{{- if has $name (list "enrich" "route") }}
{{- $most := ternary $s.autoscaling.maxReplicas $s.replicaCount $s.autoscaling.enabled }}
{{- if gt (int $most) (int $v.kafka.partitions) }}
{{- fail (printf "%s: %d replicas but kafka.partitions is %d; consumers beyond the partition count sit idle" $name (int $most) (int $v.kafka.partitions)) }}
{{- end }}
{{- end }}
{{- if and $s.autoscaling.enabled (gt (int $s.autoscaling.minReplicas) (int $s.autoscaling.maxReplicas)) }}
{{- fail (printf "%s.autoscaling: minReplicas (%d) is above maxReplicas (%d)" $name (int $s.autoscaling.minReplicas) (int $s.autoscaling.maxReplicas)) }}
{{- end }}
{{- end }}
{{- end }}
{{- /* The development secret is published in the source: a deployment using it has no auth. */}}
{{- range $e := concat $v.global.env $v.gateway.env }}
{{- if and (eq (toString $e.name) "GATEWAY_DEV_AUTH") (has (lower (toString $e.value)) (list "1" "true" "yes" "on")) }}
{{- fail "env GATEWAY_DEV_AUTH: local development only (tokens are checked with a secret published in the source, and anyone may mint them); give the gateway real keys with gateway.auth" }}
{{- end }}
{{- end }}
{{- if and $v.gateway.enabled (ge (int $v.gateway.drainMs) (int $v.gateway.shutdownTimeoutMs)) }}
{{- fail (printf "gateway.drainMs (%d) must be below gateway.shutdownTimeoutMs (%d): the drain runs inside the shutdown timeout" (int $v.gateway.drainMs) (int $v.gateway.shutdownTimeoutMs)) }}
{{- end }}
{{- end }}

