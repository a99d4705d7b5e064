// Objects (S3 REST/XML): filled in by the next commits.
import type { BucketState } from './state';
import type { Account, Reply, S3Request } from './wire';

export function objectCall(call: string, acct: Account, b: BucketState, r: S3Request, reply: Reply): void {
  void acct;
  void b;
  void r;
  reply.error(501, 'NotImplemented', `${call} is not implemented by this local endpoint.`);
}

/** Another writer replaces the object (a fault: the object changed between plan and copy). */
export function rewriteObject(acct: Account, b: BucketState, key: string, content?: Buffer): void {
  void content;
  void acct;
  void b;
  void key;
}
