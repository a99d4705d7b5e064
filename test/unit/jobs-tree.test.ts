// Batch Operations jobs in the live tree (client/views/jobs-model.ts): under their bucket, with
// status and progress, a job that waits for confirmation marked, endpoint text escaped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attachJobs, jobNode, jobStatus } from '../../client/views/jobs-model';
import type { PostureNode } from '../../client/views/posture-model';
import type { JobSummary } from '../../aws/batch-types';

const job = (over: Partial<JobSummary> = {}): JobSummary => ({
  id: 'job-1',
  status: 'Active',
  bucket: 'data',
  description: 's3-encryption-guard re-encrypt s3://data/ to arn:k',
  operation: 'S3UpdateObjectEncryption',
  created: '2026-12-01T00:00:00.000Z',
  terminated: null,
  progress: { total: 10, succeeded: 4, failed: 1, percent: 50 },
  ...over,
});

const node = (id: string, kind: PostureNode['kind'], children: PostureNode[] = [], bucket?: string): PostureNode => ({
  id,
  kind,
  label: id,
  status: 'pass',
  bucket,
  region: 'eu-west-1',
  children,
});

describe('jobs in the live tree', () => {
  it('puts a "Batch jobs" node under each bucket with jobs, leaving the bucket state alone', () => {
    const data = node('p/eu-west-1/data', 'bucket', [node('p/eu-west-1/data/policy', 'policy', [], 'data')], 'data');
    const other = node('p/eu-west-1/other', 'bucket', [], 'other');
    const root = node('p', 'profile', [node('p/eu-west-1', 'region', [data, other])]);
    attachJobs(root, b =>
      b === 'data'
        ? [job({ status: 'Suspended', progress: { total: 10, succeeded: 0, failed: 0, percent: 0 } }), job({ id: 'job-2' })]
        : [],
    );
    const jobs = data.children.find(c => c.kind === 'jobs');
    assert.ok(jobs);
    assert.equal(jobs.label, 'Batch jobs');
    assert.equal(jobs.description, '2 jobs, 1 waiting for confirmation, 1 running');
    assert.deepEqual(
      jobs.children.map(c => [c.kind, c.jobId, c.description, c.region]),
      [
        ['job', 'job-1', 'Suspended · 0/10 (0%) · waits for confirmation', 'eu-west-1'],
        ['job', 'job-2', 'Active · 5/10 (50%), 1 failed', 'eu-west-1'],
      ],
    );
    assert.equal(data.status, 'pass');
    assert.equal(other.children.length, 0, 'no node for a bucket without jobs');
  });

  it('marks jobs by their state', () => {
    assert.equal(jobStatus(job({ status: 'Complete', progress: { total: 2, succeeded: 2, failed: 0, percent: 100 } })), 'pass');
    assert.equal(jobStatus(job({ status: 'Complete' })), 'warn', 'complete with failed tasks');
    assert.equal(jobStatus(job({ status: 'Failed' })), 'fail');
    assert.equal(jobStatus(job({ status: 'Suspended' })), 'warn');
    assert.equal(jobStatus(job({ status: 'Active' })), 'info');
  });

  it('escapes what the endpoint says in the tooltip', () => {
    const n = jobNode(job({ id: 'j`x', description: '[click](command:evil) **bold**' }), 'p/jobs', 'data', 'eu-west-1');
    assert.ok(!n.tooltip?.includes('[click](command:evil)'), n.tooltip);
    assert.ok(!n.tooltip?.includes('**bold**'), n.tooltip);
  });
});
