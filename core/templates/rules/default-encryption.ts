// A bucket's default encryption as S3 applies it, and which upload
// classes of a verdict end up under which encryption once the default fills in what the request
// leaves out.
import type { BucketVerdict, UploadClass } from '../../../shared/types';
import type { Span } from '../../policy/model';
import type { TemplateBucket } from '../types';
import { display } from './types';

/** The template's CloudFormation YAML head, for rule examples. */
export const EXAMPLE_HEAD = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n";

export interface DefaultEncryption {
  /** `AES256` when the bucket sets none: S3 encrypts new objects with SSE-S3 by default (docs/design/aws-facts.md). */
  algorithm: string;
  /** The default key as people read it (`${DataKey.Arn}`), when the bucket names one. */
  key?: string;
  /** Where the setting is (the algorithm, else the encryption block, else the bucket). */
  span: Span;
  keySpan?: Span;
  /** The bucket sets its default encryption itself. */
  explicit: boolean;
}

export function defaultEncryption(bucket: TemplateBucket): DefaultEncryption {
  const enc = bucket.encryption;
  const alg = enc?.sseAlgorithm;
  return {
    algorithm: alg ? display(alg.value) : 'AES256',
    key: enc?.kmsMasterKeyId ? display(enc.kmsMasterKeyId.value) : undefined,
    span: alg?.span ?? enc?.span ?? firstLine(bucket.span),
    keySpan: enc?.kmsMasterKeyId?.span,
    explicit: !!alg,
  };
}

/** The first line of a span (a resource's first property): where a finding about the whole resource goes. */
export function firstLine(span: Span, text?: string): Span {
  let length = Math.max(1, Math.min(span.length, 80));
  if (text) {
    const nl = text.indexOf('\n', span.offset);
    if (nl > span.offset) length = Math.min(length, nl - span.offset);
  }
  return { offset: span.offset, length };
}

/** Other keys than the pinned ones are denied: the policy pins keys. */
export const otherKeysDenied = (v: BucketVerdict): boolean =>
  v.encryption.uploads.some(u => u.sse === 'aws:kms' && u.kmsKey === 'other') &&
  v.encryption.uploads.every(u => !(u.sse === 'aws:kms' && u.kmsKey === 'other' && u.decision === 'not-denied'));

const notDenied = (v: BucketVerdict, sse: UploadClass['sse'], kmsKey: string | null): boolean =>
  v.encryption.uploads.some(u => u.sse === sse && u.kmsKey === kmsKey && u.decision === 'not-denied');

/** Uploads without an encryption header get through: S3 encrypts them with the default. */
export const noHeaderAllowed = (v: BucketVerdict): boolean => notDenied(v, 'none', null);

/** Uploads that ask for SSE-KMS without naming a key get through: S3 uses the default key (else the AWS managed key). */
export const kmsWithoutKeyAllowed = (v: BucketVerdict): boolean => notDenied(v, 'aws:kms', null);

/** The keys a verdict lets uploads name (its pins). */
export function pinnedKeys(v: BucketVerdict): string[] {
  return [
    ...new Set(
      v.encryption.uploads.filter(u => u.decision === 'not-denied' && u.kmsKey && u.kmsKey !== 'other').map(u => u.kmsKey!),
    ),
  ];
}

/** Uploads that ask for SSE-S3 (AES256) are denied. */
export const aes256Denied = (v: BucketVerdict): boolean =>
  v.encryption.uploads.some(u => u.sse === 'AES256') &&
  !v.encryption.uploads.some(u => u.sse === 'AES256' && u.decision === 'not-denied');

/** SSE-C uploads get through. */
export const sseCAllowed = (v: BucketVerdict): boolean =>
  v.encryption.uploads.some(u => u.sse === 'SSE-C' && u.decision === 'not-denied');
