// kubeconform against the generated schemas is strict for real: a misspelt field, a wrong type
// or a kind it has no schema for fails, so the check of the rendered scenarios means something.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { at, chartTools, find, nameOf, render, type K8sObject } from './chart-tools';

function kubeconform(objects: unknown[]) {
  const { kubeconform, schemaDir, kubernetesVersion } = chartTools();
  const dir = mkdtempSync(join(tmpdir(), 'threadcast-kubeconform-'));
  try {
    const file = join(dir, 'manifests.yaml');
    writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
    const args = [
      '-strict',
      '-summary',
      '-kubernetes-version',
      kubernetesVersion,
      '-schema-location',
      schemaDir,
    ];
    const r = spawnSync(kubeconform, [...args, file], { encoding: 'utf8' });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('kubeconform with the generated schemas', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = render(['ci/production.yaml']);
  });

  it('accepts the production render, every object checked against a schema', () => {
    const r = kubeconform(objects);
    expect(r.output).toContain(`${objects.length} resources found`);
    expect(r.output).toContain(`Valid: ${objects.length}, Invalid: 0, Errors: 0, Skipped: 0`);
    expect(r.status).toBe(0);
  });

  it('rejects misspelt fields and wrong types, including in custom resources', () => {
    const broken = structuredClone(objects);
    const gw = find(broken, 'Deployment', nameOf('gateway'));
    at(gw, 'spec.template.spec.containers')[0].readinessProbe.httpGet.paht = '/readyz';
    const hpa = find(broken, 'HorizontalPodAutoscaler', nameOf('gateway'));
    at(hpa, 'spec.metrics')[0].resource.target.averageUtilization = '60';
    const sm = find(broken, 'ServiceMonitor', 'threadcast');
    at(sm, 'spec.endpoints')[0].honourLabels = true;
    const r = kubeconform(broken);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/Deployment threadcast-gateway is invalid.*'paht' not allowed/);
    expect(r.output).toMatch(
      /HorizontalPodAutoscaler threadcast-gateway is invalid.*got string, want integer/,
    );
    expect(r.output).toMatch(/ServiceMonitor threadcast is invalid.*'honourLabels' not allowed/);
    expect(r.output).toContain('Invalid: 3');
  });

  it('fails on a kind it has no schema for instead of skipping it', () => {
    const r = kubeconform([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }]);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('could not find schema for Widget');
  });
});
