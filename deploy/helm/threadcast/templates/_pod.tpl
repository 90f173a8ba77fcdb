{{/*
The pod template of one service (`dict "root" $ "name" "<service>"`), the same whichever
workload runs it (a Deployment, or a StatefulSet for a stage with a claim per pod).
*/}}
{{- define "threadcast.podTemplate" -}}
{{- $ctx := . }}
{{- $root := .root }}
{{- $name := .name }}
{{- $s := index $root.Values $name }}
{{- $g := $root.Values.global -}}
metadata:
  labels:
    {{- include "threadcast.selectorLabels" $ctx | nindent 4 }}
    {{- with (merge (dict) $s.podLabels $g.podLabels) }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    # A changed setting rolls the pods: they read their environment only at start.
    checksum/config: {{ include "threadcast.configData" $ctx | sha256sum }}
    # So does a rotated Secret (or ConfigMap) the pods name, as far as Helm can see it
    # (threadcast.referencesChecksum), and a bumped global.secretsRevision.
    checksum/references: {{ include "threadcast.referencesChecksum" $ctx }}
    {{- with (merge (dict) $s.podAnnotations $g.podAnnotations) }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "threadcast.serviceAccountName" $ctx }}
  automountServiceAccountToken: false
  {{- with $root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $g.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  securityContext:
    {{- toYaml $g.podSecurityContext | nindent 4 }}
  terminationGracePeriodSeconds: {{ $s.terminationGracePeriodSeconds }}
  containers:
    - name: {{ $name }}
      image: {{ include "threadcast.image" $ctx }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      ports:
        {{- if has $name (list "ingest" "gateway") }}
        - name: {{ ternary "http" "ws" (eq $name "ingest") }}
          containerPort: {{ $s.port }}
          protocol: TCP
        {{- end }}
        - name: ops
          containerPort: {{ $s.opsPort }}
          protocol: TCP
      envFrom:
        - configMapRef:
            name: {{ include "threadcast.serviceName" $ctx }}
        {{- with (concat $g.envFrom $s.envFrom) }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      env:
        {{- include "threadcast.podEnv" $ctx | nindent 8 }}
        {{- if and (eq $name "ingest") $s.auth.existingSecret }}
        - name: INGEST_API_KEYS
          valueFrom:
            secretKeyRef:
              name: {{ $s.auth.existingSecret }}
              key: {{ $s.auth.apiKeysKey }}
        {{- end }}
        {{- if and (eq $name "gateway") $s.auth.existingSecret }}
        - name: GATEWAY_JWT_SECRET
          valueFrom:
            secretKeyRef:
              name: {{ $s.auth.existingSecret }}
              key: {{ $s.auth.jwtSecretKey }}
        {{- end }}
        {{- with (concat $g.env $s.env) }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      startupProbe:
        httpGet:
          path: /healthz
          port: ops
        {{- toYaml $s.probes.startup | nindent 8 }}
      livenessProbe:
        httpGet:
          path: /healthz
          port: ops
        {{- toYaml $s.probes.liveness | nindent 8 }}
      readinessProbe:
        httpGet:
          path: /readyz
          port: ops
        {{- toYaml $s.probes.readiness | nindent 8 }}
      {{- if gt (int $s.preStopSleepSeconds) 0 }}
      lifecycle:
        preStop:
          sleep:
            seconds: {{ $s.preStopSleepSeconds }}
      {{- end }}
      resources:
        {{- toYaml $s.resources | nindent 8 }}
      securityContext:
        {{- toYaml $g.securityContext | nindent 8 }}
      volumeMounts:
        {{- include "threadcast.volumeMounts" $ctx | nindent 8 }}
  volumes:
    {{- include "threadcast.volumes" $ctx | nindent 4 }}
  {{- with $s.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $s.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $s.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if $s.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- toYaml $s.topologySpreadConstraints | nindent 4 }}
  {{- else if $g.spreadAcrossNodes }}
  topologySpreadConstraints:
    - maxSkew: 1
      topologyKey: kubernetes.io/hostname
      whenUnsatisfiable: ScheduleAnyway
      labelSelector:
        matchLabels:
          {{- include "threadcast.selectorLabels" $ctx | nindent 10 }}
  {{- end }}
{{- end }}
