{{/*
Names, labels and the settings every service shares. Service helpers take a context
`dict "root" $ "name" "<service>"`; the service's values are `index $.Values <name>`.
*/}}

{{/* The long-running services, in pipeline order. */}}
{{- define "threadcast.services" -}}
ingest enrich route gateway
{{- end }}

{{/* The stages that keep a state store on disk (STATE_DIR): a volume each, at stateDir. */}}
{{- define "threadcast.statefulServices" -}}
enrich route
{{- end }}

{{- define "threadcast.stateDir" -}}
/var/lib/threadcast/state
{{- end }}

{{/*
The workload of one service: a StatefulSet for a stage with a claim per pod (state.persistence
on, no existingClaim), so each pod gets its own disk back; a Deployment otherwise.
*/}}
{{- define "threadcast.workloadKind" -}}
{{- $s := index .root.Values .name }}
{{- if and (has .name (splitList " " (include "threadcast.statefulServices" .root))) $s.state.persistence.enabled (not $s.state.persistence.existingClaim) -}}
StatefulSet
{{- else -}}
Deployment
{{- end }}
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
NODE_ENV: "production"
{{- if $v.kafka.tls.caSecret }}
KAFKA_SSL_CA_FILE: {{ printf "/etc/threadcast/kafka-ca/%s" $v.kafka.tls.caKey | quote }}
{{- end }}
{{- if $v.kafka.tls.clientCertSecret }}
KAFKA_SSL_CERT_FILE: {{ printf "/etc/threadcast/kafka-client/%s" $v.kafka.tls.clientCertKey | quote }}
KAFKA_SSL_KEY_FILE: {{ printf "/etc/threadcast/kafka-client/%s" $v.kafka.tls.clientKeyKey | quote }}
{{- end }}
{{- with $v.kafka.tls.serverName }}
KAFKA_SSL_SERVERNAME: {{ . | quote }}
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
{{- if has .name (splitList " " (include "threadcast.statefulServices" .root)) }}
STATE_DIR: {{ include "threadcast.stateDir" .root | quote }}
{{- end }}
{{- if eq .name "ingest" }}
INGEST_PORT: {{ $s.port | toString | quote }}
{{- else if eq .name "gateway" }}
GATEWAY_PORT: {{ $s.port | toString | quote }}
GATEWAY_DRAIN_MS: {{ $s.drainMs | toString | quote }}
{{- with $s.auth.jwksUrl }}
GATEWAY_JWT_JWKS_URL: {{ . | quote }}
{{- end }}
{{- with $s.auth.issuer }}
GATEWAY_JWT_ISSUER: {{ . | quote }}
{{- end }}
{{- with $s.auth.audience }}
GATEWAY_JWT_AUDIENCE: {{ . | quote }}
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

{{/*
Volumes every pod mounts: a writable /tmp (the root filesystem is read-only) and the Kafka CA;
and a stage's state store: an emptyDir, or the existing claim. A StatefulSet's pods get theirs
from its volumeClaimTemplates instead (statefulset.yaml), under the same name.
*/}}
{{- define "threadcast.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- $tls := .root.Values.kafka.tls }}
{{- with $tls.caSecret }}
- name: kafka-ca
  secret:
    secretName: {{ . }}
    items:
      - key: {{ $tls.caKey }}
        path: {{ $tls.caKey }}
{{- end }}
{{- with $tls.clientCertSecret }}
{{- /* The key readable by the pod's group (fsGroup) only: 288 is 0440, written in decimal as
YAML 1.1 and 1.2 read a leading 0 differently. Without an fsGroup, Kubernetes' 0644. */}}
- name: kafka-client
  secret:
    secretName: {{ . }}
    {{- if $.root.Values.global.podSecurityContext.fsGroup }}
    defaultMode: 288
    {{- end }}
    items:
      - key: {{ $tls.clientCertKey }}
        path: {{ $tls.clientCertKey }}
      - key: {{ $tls.clientKeyKey }}
        path: {{ $tls.clientKeyKey }}
{{- end }}
{{- if has .name (splitList " " (include "threadcast.statefulServices" .root)) }}
{{- $state := (index .root.Values .name).state }}
{{- if $state.persistence.enabled }}
{{- with $state.persistence.existingClaim }}
- name: state
  persistentVolumeClaim:
    claimName: {{ . }}
{{- end }}
{{- else }}
{{- $emptyDir := dict }}
{{- with $state.emptyDir.medium }}
{{- $_ := set $emptyDir "medium" . }}
{{- end }}
{{- with $state.emptyDir.sizeLimit }}
{{- $_ := set $emptyDir "sizeLimit" (toString .) }}
{{- end }}
- name: state
  emptyDir: {{- if $emptyDir }}{{ toYaml $emptyDir | nindent 4 }}{{ else }} {}{{ end }}
{{- end }}
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
{{- if .root.Values.kafka.tls.clientCertSecret }}
- name: kafka-client
  mountPath: /etc/threadcast/kafka-client
  readOnly: true
{{- end }}
{{- if has .name (splitList " " (include "threadcast.statefulServices" .root)) }}
- name: state
  mountPath: {{ include "threadcast.stateDir" .root }}
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
{{- if not $v.kafka.tls.enabled }}
{{- range $field := list "caSecret" "clientCertSecret" "serverName" }}
{{- if index $v.kafka.tls $field }}
{{- fail (printf "kafka.tls.%s is set but kafka.tls.enabled is false: turn TLS on to use it" $field) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and $v.kafka.tls.clientCertSecret (eq $v.kafka.tls.clientCertKey $v.kafka.tls.clientKeyKey) }}
{{- fail "kafka.tls.clientKeyKey: must differ from clientCertKey (the certificate and the key are two keys of clientCertSecret)" }}
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
{{- if has $name (splitList " " (include "threadcast.statefulServices" $)) }}
{{- include "threadcast.validateState" (dict "root" $ "name" $name) }}
{{- end }}
{{- if and $s.autoscaling.enabled (gt (int $s.autoscaling.minReplicas) (int $s.autoscaling.maxReplicas)) }}
{{- fail (printf "%s.autoscaling: minReplicas (%d) is above maxReplicas (%d)" $name (int $s.autoscaling.minReplicas) (int $s.autoscaling.maxReplicas)) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and $v.networkPolicy.enabled $v.metrics.serviceMonitor.enabled (not $v.networkPolicy.opsFrom) }}
{{- fail "networkPolicy.opsFrom: name the Prometheus pods (a namespaceSelector and podSelector) that scrape the ServiceMonitor's targets; the NetworkPolicies let nothing else reach the ops port" }}
{{- end }}
{{- include "threadcast.validateRefusedEnv" . }}
{{- include "threadcast.validateGatewayAuth" . }}
{{- if and $v.gateway.enabled (ge (int $v.gateway.drainMs) (int $v.gateway.shutdownTimeoutMs)) }}
{{- fail (printf "gateway.drainMs (%d) must be below gateway.shutdownTimeoutMs (%d): the drain runs inside the shutdown timeout" (int $v.gateway.drainMs) (int $v.gateway.shutdownTimeoutMs)) }}
{{- end }}
{{- end }}


{{/*
A stage's state volume: an existing claim only when persistence is on, and for one pod (a
ReadWriteOnce disk attaches to one node, and two processes must not share one store); a claim
needs an fsGroup, since a new volume's root is owned by root and the services run as non-root.
*/}}
{{- define "threadcast.validateState" -}}
{{- $v := .root.Values }}
{{- $s := index $v .name }}
{{- $p := $s.state.persistence }}
{{- if and $p.existingClaim (not $p.enabled) }}
{{- fail (printf "%s.state.persistence.existingClaim: set %s.state.persistence.enabled: true to mount claim %s (with persistence off the store is an emptyDir)" .name .name $p.existingClaim) }}
{{- end }}
{{- if and $p.enabled $p.existingClaim }}
{{- if $s.autoscaling.enabled }}
{{- fail (printf "%s.state.persistence.existingClaim: one claim backs one pod, but %s.autoscaling is on; turn it off and set replicaCount: 1, or leave existingClaim empty for a claim per pod (a StatefulSet)" .name .name) }}
{{- end }}
{{- if gt (int $s.replicaCount) 1 }}
{{- fail (printf "%s.state.persistence.existingClaim: one claim backs one pod, but %s.replicaCount is %d; set it to 1, or leave existingClaim empty for a claim per pod (a StatefulSet)" .name .name (int $s.replicaCount)) }}
{{- end }}
{{- end }}
{{- if and $p.enabled (not $v.global.podSecurityContext.fsGroup) }}
{{- fail (printf "global.podSecurityContext.fsGroup: %s.state.persistence mounts a volume whose root belongs to root; without an fsGroup the services' non-root user cannot write their store to it" .name) }}
{{- end }}
{{- end }}

{{/*
Variables the chart owns or refuses, with why: a local development switch that turns
authentication off must never reach a cluster, whatever its value and however it is spelt; and
the settings the chart itself must set (NODE_ENV, STATE_DIR).
*/}}
{{- define "threadcast.refusedEnv" -}}
GATEWAY_DEV_AUTH: local development only (tokens are checked with a secret published in the source, so anyone may mint them); give the gateway real keys with gateway.auth
INGEST_ALLOW_ANONYMOUS: ingest would take posts without an API key; give it keys with ingest.auth.existingSecret
NODE_ENV: the chart sets NODE_ENV=production on every pod
STATE_DIR: the chart sets STATE_DIR to the state volume it mounts at /var/lib/threadcast/state in the enrich and route pods (their state values); the root filesystem elsewhere is read-only
{{- end }}

{{/*
Refuses every values path that could set a variable of threadcast.refusedEnv: the env lists
(plain or valueFrom), the config maps (the ConfigMaps), and envFrom on the ingest and gateway
pods, whose ConfigMap or Secret the chart cannot see into. Names are compared trimmed and upper
case, values not at all: the chart never sets these, to anything.
*/}}
{{- define "threadcast.validateRefusedEnv" -}}
{{- $v := .Values }}
{{- $refused := fromYaml (include "threadcast.refusedEnv" .) }}
{{- $envs := dict "global.env" $v.global.env }}
{{- $configs := dict }}
{{- range $name := list "ingest" "enrich" "route" "gateway" "topics" }}
{{- $_ := set $envs (printf "%s.env" $name) (index $v $name).env }}
{{- $_ := set $configs (printf "%s.config" $name) (index $v $name).config }}
{{- end }}
{{- range $path, $list := $envs }}
{{- range $i, $e := $list }}
{{- $n := upper (trim (toString $e.name)) }}
{{- if hasKey $refused $n }}
{{- fail (printf "%s[%d] %s: %s" $path $i $n (index $refused $n)) }}
{{- end }}
{{- end }}
{{- end }}
{{- range $path, $map := $configs }}
{{- range $k, $_ := $map }}
{{- $n := upper (trim $k) }}
{{- if hasKey $refused $n }}
{{- fail (printf "%s.%s: %s" $path $k (index $refused $n)) }}
{{- end }}
{{- end }}
{{- end }}
{{- $why := "the chart cannot see what an external ConfigMap or Secret sets, and it could set GATEWAY_DEV_AUTH or INGEST_ALLOW_ANONYMOUS; name each variable in env instead (valueFrom secretKeyRef or configMapKeyRef)" }}
{{- if and $v.global.envFrom (or $v.ingest.enabled $v.gateway.enabled) }}
{{- fail (printf "global.envFrom: refused while ingest or gateway runs: %s" $why) }}
{{- end }}
{{- range $name := list "ingest" "gateway" }}
{{- if and (index $v $name).enabled (index $v $name).envFrom }}
{{- fail (printf "%s.envFrom: refused for the %s pods: %s" $name $name $why) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Names (trimmed, upper case) the gateway gets a non-empty value for from its env lists and config
map, besides the chart's own settings.
*/}}
{{- define "threadcast.gatewayUserEnvNames" -}}
{{- $v := .Values }}
{{- $names := list }}
{{- range $e := concat $v.global.env $v.gateway.env }}
{{- if or $e.value $e.valueFrom }}
{{- $names = append $names (upper (trim (toString $e.name))) }}
{{- end }}
{{- end }}
{{- range $k, $val := $v.gateway.config }}
{{- if ne (toString $val) "" }}
{{- $names = append $names (upper (trim $k)) }}
{{- end }}
{{- end }}
{{- toJson $names }}
{{- end }}

{{/*
A gateway that checks tokens checks whose they are: without an issuer and an audience it takes
any token its key verifies, including one minted for another application by the same identity
provider. Each can be waived, explicitly.
*/}}
{{- define "threadcast.validateGatewayAuth" -}}
{{- $gw := .Values.gateway }}
{{- if $gw.enabled }}
{{- $names := fromJsonArray (include "threadcast.gatewayUserEnvNames" .) }}
{{- if or $gw.auth.existingSecret $gw.auth.jwksUrl (has "GATEWAY_JWT_SECRET" $names) (has "GATEWAY_JWT_JWKS_URL" $names) }}
{{- if not (or $gw.auth.issuer $gw.auth.allowAnyIssuer (has "GATEWAY_JWT_ISSUER" $names)) }}
{{- fail "gateway.auth.issuer: the gateway checks tokens, so name the issuer (`iss`) they must come from; without it any token the key verifies is taken, whoever it was minted by. Set gateway.auth.allowAnyIssuer: true to accept that" }}
{{- end }}
{{- if not (or $gw.auth.audience $gw.auth.allowAnyAudience (has "GATEWAY_JWT_AUDIENCE" $names)) }}
{{- fail "gateway.auth.audience: the gateway checks tokens, so name the audience (`aud`) they must be minted for; without it a token the same identity provider issued to another application is taken. Set gateway.auth.allowAnyAudience: true to accept that" }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
`checksum/references` of a service's pods: every Secret and ConfigMap its pods name (other than
the chart's own ConfigMap, which checksum/config covers), with its resourceVersion when Helm can
read it (helm install and upgrade; `helm template` and GitOps renderers cannot), and
global.secretsRevision. A Secret rotated before `helm upgrade`, or a bumped secretsRevision, so
rolls the pods that read it. resourceVersion, not the data: a hash of a short password in a pod
annotation could be brute-forced.
*/}}
{{- define "threadcast.referencesChecksum" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $s := index $v .name }}
{{- $secrets := list }}
{{- $configMaps := list }}
{{- if ne $v.kafka.sasl.mechanism "none" }}
{{- $secrets = append $secrets $v.kafka.sasl.existingSecret }}
{{- end }}
{{- with $v.kafka.tls.caSecret }}
{{- $secrets = append $secrets . }}
{{- end }}
{{- with $v.kafka.tls.clientCertSecret }}
{{- $secrets = append $secrets . }}
{{- end }}
{{- if and $v.otel.enabled $v.otel.headersSecret }}
{{- $secrets = append $secrets $v.otel.headersSecret }}
{{- end }}
{{- if and (has .name (list "ingest" "gateway")) $s.auth.existingSecret }}
{{- $secrets = append $secrets $s.auth.existingSecret }}
{{- end }}
{{- range $e := concat $v.global.env $s.env }}
{{- with $e.valueFrom }}
{{- with .secretKeyRef }}
{{- $secrets = append $secrets .name }}
{{- end }}
{{- with .configMapKeyRef }}
{{- $configMaps = append $configMaps .name }}
{{- end }}
{{- end }}
{{- end }}
{{- range $f := concat $v.global.envFrom $s.envFrom }}
{{- with $f.secretRef }}
{{- $secrets = append $secrets .name }}
{{- end }}
{{- with $f.configMapRef }}
{{- $configMaps = append $configMaps .name }}
{{- end }}
{{- end }}
{{- $lines := list (printf "revision=%s" (toString $v.global.secretsRevision)) }}
{{- range $n := $secrets | uniq | sortAlpha }}
{{- $obj := lookup "v1" "Secret" $root.Release.Namespace $n }}
{{- $lines = append $lines (printf "secret/%s@%s" $n (dig "metadata" "resourceVersion" "" $obj)) }}
{{- end }}
{{- range $n := $configMaps | uniq | sortAlpha }}
{{- $obj := lookup "v1" "ConfigMap" $root.Release.Namespace $n }}
{{- $lines = append $lines (printf "configmap/%s@%s" $n (dig "metadata" "resourceVersion" "" $obj)) }}
{{- end }}
{{- join "\n" $lines | sha256sum }}
{{- end }}

{{/* The port of an http(s) URL: its own, else 80 or 443 by scheme. */}}
{{- define "threadcast.urlPort" -}}
{{- $u := urlParse . }}
{{- $m := regexFind ":[0-9]+$" $u.host }}
{{- if $m }}
{{- trimPrefix ":" $m }}
{{- else }}
{{- ternary "443" "80" (eq $u.scheme "https") }}
{{- end }}
{{- end }}

{{/* The ops Service of one service: `<fullname>-<service>-ops`. */}}
{{- define "threadcast.opsServiceName" -}}
{{- printf "%s-%s-ops" (include "threadcast.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}
