// Issue 16: enrich and route keep their state stores on disk, in STATE_DIR. The chart mounts a
// volume there: an emptyDir by default, a claim per pod (the stage then runs as a StatefulSet)
// or one existing claim (one pod, replaced with Recreate); the root filesystem stays read-only,
// the non-root user can write the volume, and everything that selected a stage's Deployment
// (Services, PDB, HPA, NetworkPolicy, ServiceMonitor, alerts) selects its StatefulSet too.
import { stringify } from 'yaml';
import {
  SERVICES,
  at,
  container,
  environment,
  find,
  helmTemplate,
  nameOf,
  ofKind,
  promcheck,
  render,
  type K8sObject,
} from './chart-tools';

const STATE_DIR = '/var/lib/threadcast/state';
const STAGES = ['enrich', 'route'] as const;
const SCHEMA_ERROR = "values don't meet the specifications of the schema";

/** The Deployment or StatefulSet of a service: exactly one of them. */
function workload(objects: K8sObject[], service: string): K8sObject {
  const hits = objects.filter(
    (o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && o.metadata.name === nameOf(service),
  );
  expect(hits.map((h) => h.kind)).toHaveLength(1);
  return hits[0] as K8sObject;
}

const podSpec = (w: K8sObject) => at(w, 'spec.template.spec');
const volume = (w: K8sObject, name: string) =>
  (podSpec(w).volumes as { name: string }[]).find((v) => v.name === name);

/** Whether a matchLabels selector selects these labels. */
const selects = (matchLabels: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(matchLabels).every(([k, v]) => labels[k] === v);

describe('default values: an emptyDir per stage pod', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = render();
  });

  it.each(STAGES)(
    '%s mounts an emptyDir at STATE_DIR, on a read-only root filesystem (ingest and gateway none)',
    (stage) => {
      const w = workload(objects, stage);
      expect(w.kind).toBe('Deployment');
      expect(volume(w, 'state')).toEqual({ name: 'state', emptyDir: { sizeLimit: '4Gi' } });
      expect(container(w).volumeMounts).toContainEqual({ name: 'state', mountPath: STATE_DIR });
      expect(environment(objects, w).get('STATE_DIR')).toBe(STATE_DIR);
      expect(at(container(w), 'securityContext.readOnlyRootFilesystem')).toBe(true);
      // The non-root user owns what it writes; a volume's files are chowned only when needed.
      expect(podSpec(w).securityContext).toMatchObject({
        runAsNonRoot: true,
        fsGroup: 1000,
        fsGroupChangePolicy: 'OnRootMismatch',
      });
      expect(ofKind(objects, 'StatefulSet')).toEqual([]);
      // Only the stages keep a store.
      for (const service of ['ingest', 'gateway']) {
        const other = workload(objects, service);
        expect(volume(other, 'state')).toBeUndefined();
        expect(environment(objects, other).has('STATE_DIR')).toBe(false);
      }
    },
  );

  it('takes the emptyDir medium and size limit from values, or none', () => {
    const custom = render([], {
      enrich: { state: { emptyDir: { medium: 'Memory', sizeLimit: '512Mi' } } },
      route: { state: { emptyDir: { sizeLimit: '' } } },
    });
    expect(volume(workload(custom, 'enrich'), 'state')).toEqual({
      name: 'state',
      emptyDir: { medium: 'Memory', sizeLimit: '512Mi' },
    });
    expect(volume(workload(custom, 'route'), 'state')).toEqual({ name: 'state', emptyDir: {} });
  });
});

describe('persistence on (ci/persistence.yaml)', () => {
  let objects: K8sObject[];
  let defaults: K8sObject[];
  beforeAll(() => {
    objects = render(['ci/persistence.yaml']);
    defaults = render();
  });

  it('runs enrich as a StatefulSet with a claim per pod, mounted at STATE_DIR', () => {
    const sts = workload(objects, 'enrich');
    expect(sts.kind).toBe('StatefulSet');
    expect(at(sts, 'spec.volumeClaimTemplates')).toEqual([
      {
        metadata: {
          name: 'state',
          labels: at(sts, 'spec.selector.matchLabels'),
          annotations: { 'backup.example.com/skip': 'true' },
        },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'fast-ssd',
          resources: { requests: { storage: '20Gi' } },
        },
      },
    ]);
    // The claim template is the pod's `state` volume: no emptyDir beside it.
    expect(volume(sts, 'state')).toBeUndefined();
    expect(container(sts).volumeMounts).toContainEqual({ name: 'state', mountPath: STATE_DIR });
    expect(environment(objects, sts).get('STATE_DIR')).toBe(STATE_DIR);
    expect(at(container(sts), 'securityContext.readOnlyRootFilesystem')).toBe(true);
    expect(podSpec(sts).securityContext.fsGroup).toBe(1000);
    expect(at(sts, 'spec')).toMatchObject({
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate' },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' },
      serviceName: `${nameOf('enrich')}-ops`,
    });
    // The HPA sets the replicas.
    expect(at(sts, 'spec.replicas')).toBeUndefined();
  });

  it('keeps the selector and pod labels of the Deployment it replaces', () => {
    const sts = workload(objects, 'enrich');
    const deployment = workload(defaults, 'enrich');
    expect(at(sts, 'spec.selector')).toEqual(at(deployment, 'spec.selector'));
    expect(at(sts, 'spec.template.metadata.labels')).toEqual(at(deployment, 'spec.template.metadata.labels'));
  });

  it('still selects the StatefulSet’s pods from the HPA, PDB, NetworkPolicy and ops Service', () => {
    const sts = workload(objects, 'enrich');
    const labels = at(sts, 'spec.template.metadata.labels');
    expect(at(find(objects, 'HorizontalPodAutoscaler', nameOf('enrich')), 'spec.scaleTargetRef')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      name: nameOf('enrich'),
    });
    const pdb = find(objects, 'PodDisruptionBudget', nameOf('enrich'));
    expect(selects(at(pdb, 'spec.selector.matchLabels'), labels)).toBe(true);
    const policy = find(objects, 'NetworkPolicy', nameOf('enrich'));
    expect(selects(at(policy, 'spec.podSelector.matchLabels'), labels)).toBe(true);
    const ops = find(objects, 'Service', `${nameOf('enrich')}-ops`);
    expect(selects(at(ops, 'spec.selector'), labels)).toBe(true);
    // And nothing of another service's.
    for (const other of SERVICES.filter((s) => s !== 'enrich')) {
      const otherLabels = at(workload(objects, other), 'spec.template.metadata.labels');
      expect(selects(at(pdb, 'spec.selector.matchLabels'), otherLabels)).toBe(false);
    }
  });

  it('scrapes the StatefulSet’s ops Service and alerts when it has no ready pod', () => {
    const sm = find(objects, 'ServiceMonitor', 'threadcast');
    const ops = find(objects, 'Service', `${nameOf('enrich')}-ops`);
    const svcLabels = at(ops, 'metadata.labels');
    expect(selects(at(sm, 'spec.selector.matchLabels'), svcLabels)).toBe(true);
    expect(at(sm, 'spec.selector.matchExpressions')[0].values).toContain(
      svcLabels['app.kubernetes.io/component'],
    );

    const spec = at(find(objects, 'PrometheusRule', 'threadcast'), 'spec');
    const { errors, queries } = promcheck('rules', stringify({ groups: spec.groups }));
    expect(errors).toEqual([]);
    const unavailable = queries.find((q) => q.alert === 'ThreadcastServiceUnavailable');
    const regexOf = (metric: string, label: string) =>
      unavailable?.selectors.find((s) => s.metric === metric)?.matchers.find((m) => m.label === label)?.value;
    const byKind: Record<string, string | undefined> = {
      Deployment: regexOf('kube_deployment_status_replicas_available', 'deployment'),
      StatefulSet: regexOf('kube_statefulset_status_replicas_ready', 'statefulset'),
    };
    for (const service of SERVICES) {
      const w = workload(objects, service);
      const re = byKind[w.kind] ?? '(?!)';
      expect({
        workload: `${w.kind}/${w.metadata.name}`,
        watched: new RegExp(`^(?:${re})$`).test(w.metadata.name),
      }).toEqual({
        workload: `${w.kind}/${w.metadata.name}`,
        watched: true,
      });
    }
  });

  it('runs route on the existing claim: one pod, replaced with Recreate', () => {
    const d = workload(objects, 'route');
    expect(d.kind).toBe('Deployment');
    expect(at(d, 'spec.replicas')).toBe(1);
    expect(at(d, 'spec.strategy')).toEqual({ type: 'Recreate' });
    expect(volume(d, 'state')).toEqual({
      name: 'state',
      persistentVolumeClaim: { claimName: 'threadcast-route-state' },
    });
    expect(container(d).volumeMounts).toContainEqual({ name: 'state', mountPath: STATE_DIR });
    expect(environment(objects, d).get('STATE_DIR')).toBe(STATE_DIR);
    // The other stages' rollouts still surge.
    expect(at(workload(objects, 'ingest'), 'spec.strategy.type')).toBe('RollingUpdate');
  });

  it('leaves storageClassName out for the cluster default, empty for "-"', () => {
    const claimSpec = (values: unknown) =>
      at(workload(render([], values), 'route'), 'spec.volumeClaimTemplates')[0].spec;
    const on = (persistence: Record<string, unknown>) => ({
      route: { state: { persistence: { enabled: true, ...persistence } } },
    });
    expect(claimSpec(on({})).storageClassName).toBeUndefined();
    expect(claimSpec(on({ storageClassName: '-' })).storageClassName).toBe('');
    expect(claimSpec(on({ accessModes: ['ReadWriteOncePod'], size: '1Gi' }))).toEqual({
      accessModes: ['ReadWriteOncePod'],
      resources: { requests: { storage: '1Gi' } },
    });
    const kept = render([], {
      route: { replicaCount: 3, state: { persistence: { enabled: true, whenScaled: 'Retain' } } },
    });
    expect(at(workload(kept, 'route'), 'spec.replicas')).toBe(3);
    expect(at(workload(kept, 'route'), 'spec.persistentVolumeClaimRetentionPolicy.whenScaled')).toBe(
      'Retain',
    );
  });
});

describe('state values the chart refuses', () => {
  it.each([
    [
      'an existing claim for two pods',
      { route: { state: { persistence: { enabled: true, existingClaim: 'data' } } } },
      'route.state.persistence.existingClaim: one claim backs one pod, but route.replicaCount is 2',
    ],
    [
      'an existing claim under an autoscaler',
      {
        enrich: {
          replicaCount: 1,
          autoscaling: { enabled: true },
          state: { persistence: { enabled: true, existingClaim: 'data' } },
        },
      },
      'enrich.state.persistence.existingClaim: one claim backs one pod, but enrich.autoscaling is on',
    ],
    [
      'an existing claim with persistence off',
      { enrich: { replicaCount: 1, state: { persistence: { existingClaim: 'data' } } } },
      'enrich.state.persistence.existingClaim: set enrich.state.persistence.enabled: true',
    ],
    [
      'a claim without an fsGroup the non-root user could write it with',
      {
        // null removes the default's fsGroup (Helm merges maps).
        global: { podSecurityContext: { fsGroup: null } },
        route: { state: { persistence: { enabled: true } } },
      },
      'global.podSecurityContext.fsGroup: route.state.persistence mounts a volume',
    ],
    [
      'STATE_DIR in a stage’s config map',
      { enrich: { config: { STATE_DIR: '/data' } } },
      'enrich.config.STATE_DIR: the chart sets STATE_DIR to the state volume',
    ],
    [
      'STATE_DIR in a stage’s env',
      { route: { env: [{ name: 'state_dir', value: '/data' }] } },
      'route.env[0] STATE_DIR: the chart sets STATE_DIR to the state volume',
    ],
  ])('refuses %s', (_what, values, message) => {
    const r = helmTemplate([], values);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(message);
  });

  it.each([
    [
      'a shared (ReadWriteMany) claim',
      { enrich: { state: { persistence: { accessModes: ['ReadWriteMany'] } } } },
      '/enrich/state/persistence/accessModes/0',
    ],
    [
      'an unknown emptyDir medium',
      { route: { state: { emptyDir: { medium: 'Disk' } } } },
      '/route/state/emptyDir/medium',
    ],
    [
      'a size that is no quantity',
      { route: { state: { persistence: { size: '10GB' } } } },
      '/route/state/persistence/size',
    ],
    [
      'a misspelt persistence field',
      { enrich: { state: { persistence: { storageClass: 'ssd' } } } },
      'storageClass',
    ],
    [
      'an unknown retention policy',
      { enrich: { state: { persistence: { whenScaled: 'Keep' } } } },
      '/enrich/state/persistence/whenScaled',
    ],
  ])('rejects %s (values.schema.json)', (_what, values, field) => {
    const r = helmTemplate([], values);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(SCHEMA_ERROR);
    expect(r.stderr).toContain(field);
  });
});
