// S3 Inventory: filled in by a later commit.
import type { BucketState } from './state';
import type { Account, Reply, S3Request } from './wire';

export function inventoryCall(call: string, acct: Account, b: BucketState, r: S3Request, reply: Reply): void {
  void acct;
  void b;
  void r;
  reply.error(501, 'NotImplemented', `${call} is not implemented by this local endpoint.`);
}
