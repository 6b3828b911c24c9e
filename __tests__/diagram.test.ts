/**
 * `npm run diagram`: the topology diagrams are generated from the synthesized stacks (data-driven:
 * every subnet, node pool, namespace and release appears), and README.md embeds production's
 * current diagram.
 */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { DEFINITIONS } from '../environments';
import { README_END, README_ENV, README_START, generateDiagrams, readmeBlock, renderDiagram, replaceReadmeBlock } from '../scripts/diagram';
import { Json, shipped } from './helpers';
import { synthesizedApp } from './synth-cache';

let diagrams: Record<string, string>;
let production: { cloud: Json; platform: Json };

beforeAll(() => {
  // From the run's whole-app synth (./synth-cache.ts), what `cdktf synth` writes.
  diagrams = generateDiagrams(synthesizedApp().outdir);
  // What the diagram must show, read from production's synthesized stacks (the shared synth cache).
  production = shipped('production');
});

const values = (json: Json, type: string): Json[] => Object.values(json.resource?.[type] ?? {});

describe('topology diagram', () => {
  test('there is one Mermaid flowchart per environment', () => {
    expect(Object.keys(diagrams).sort()).toEqual(DEFINITIONS.map((d) => d.name).sort());
    for (const d of Object.values(diagrams)) expect(d.startsWith('flowchart TB\n')).toBe(true);
  });

  test('every zone and every subnet (tier and CIDR) of production appears', () => {
    for (const s of values(production.cloud, 'aws_subnet')) {
      expect(diagrams.production).toContain(`["${s.tags.Tier} ${s.cidr_block}"]`);
      expect(diagrams.production).toContain(`["${s.availability_zone}"]`);
    }
  });

  test('every node pool appears with its instance type and sizes', () => {
    const groups = values(production.cloud, 'aws_eks_node_group');
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups) {
      const sc = g.scaling_config;
      expect(diagrams.production).toContain(`pool ${g.labels['toronto-ai.io/pool']}: ${g.instance_types[0]} x${sc.desired_size} (${sc.min_size}-${sc.max_size})`);
    }
  });

  test('the load balancer, its listeners and its WAF appear', () => {
    for (const lb of values(production.cloud, 'aws_lb')) expect(diagrams.production).toMatch(new RegExp(`LB ${lb.name}<br/>internet-facing; .*HTTPS 443`));
    for (const w of values(production.cloud, 'aws_wafv2_web_acl')) expect(diagrams.production).toContain(`WAF ${w.name}`);
  });

  test('the service tier\'s queues (not their dead-letter queues), e-mail identity and registries appear', () => {
    const queues = values(production.cloud, 'aws_sqs_queue');
    expect(queues.length).toBe(8);
    for (const q of queues) {
      if (q.redrive_policy) expect(diagrams.production).toContain(`["SQS ${q.name} + DLQ"]`);
      else expect(diagrams.production).not.toContain(`SQS ${q.name} `);
    }
    for (const i of values(production.cloud, 'aws_sesv2_email_identity')) expect(diagrams.production).toContain(`SES ${i.email_identity} (DKIM)`);
    for (const r of values(production.cloud, 'aws_ecr_repository')) expect(diagrams.production).toContain(`ECR ${r.name}`);
  });

  test('every Helm release appears inside its namespace (monitoring, logging, Vault, backups, data...)', () => {
    const releases = values(production.platform, 'helm_release');
    expect(releases.length).toBeGreaterThan(0);
    for (const r of releases) expect(diagrams.production).toContain(`["${r.name} (`);
    for (const ns of ['monitoring', 'logging', 'vault']) expect(diagrams.production).toContain(`subgraph ns_${ns}["namespace ${ns}"]`);
  });

  test('GIVEN a resource no one has drawn WHEN the diagram is generated THEN it appears (data-driven)', () => {
    const platform = JSON.parse(JSON.stringify(production.platform));
    platform.resource.helm_release.extra = { name: 'opensearch', namespace: 'search', chart: 'opensearch', version: '3.1.0', values: ['{}'] };
    const diagram = renderDiagram('production', production.cloud, platform);
    expect(diagram).toContain('subgraph ns_search["namespace search"]');
    expect(diagram).toContain('["opensearch (opensearch 3.1.0)"]');
  });

  test('replacing the README block keeps the text around it', () => {
    const readme = `# Title\n\n${README_START}\nold\n${README_END}\n\nafter\n`;
    expect(replaceReadmeBlock(readme, 'flowchart TB\n  a --> b')).toBe(`# Title\n\n${readmeBlock('flowchart TB\n  a --> b')}\n\nafter\n`);
    expect(() => replaceReadmeBlock('# no markers', 'x')).toThrow(/has no <!-- diagram:production:start -->/);
  });

  test(`README.md embeds the current ${README_ENV} diagram (run: npm run diagram -- --update-readme)`, () => {
    const path = join(__dirname, '..', '..', 'README.md');
    if (!existsSync(path)) throw new Error('README.md does not exist: it must embed the production diagram between the diagram markers');
    const readme = readFileSync(path, 'utf8');
    if (!readme.includes(README_START) || !readme.includes(README_END)) {
      throw new Error(`README.md has no ${README_START} ... ${README_END} block for the generated diagram`);
    }
    const embedded = readme.slice(readme.indexOf(README_START), readme.indexOf(README_END) + README_END.length);
    expect(embedded).toBe(readmeBlock(diagrams[README_ENV]));
  });
});
