// The options every command that calls AWS takes (status, fix, jobs, reencrypt): which credentials,
// which Region, which endpoint, and how long and how often to try a call. One parser, so that each
// command checks them, and words its complaints, the same way.

export interface ConnectionFlags {
  profile?: string;
  region?: string;
  endpoint?: string;
  timeoutMs?: number;
  maxAttempts?: number;
}

/** `eu-west-1`, `us-gov-west-1`, `cn-north-1`. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** A whole number from 1 to `max`, or the command's usage error naming the flag. */
export function wholeNumber(flag: string, text: string, max: number, fail: (message: string) => never): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) fail(`${flag} expects a whole number from 1 to ${max}`);
  return n;
}

/** A bucket name, leniently: buckets made in us-east-1 before 2018 may have upper case and underscores. */
export function bucketArg(text: string, fail: (message: string) => never): string {
  if (!/^[A-Za-z0-9._-]{1,255}$/.test(text)) fail(`"${text}" is not a bucket name (letters, digits, dots and hyphens)`);
  return text;
}

/** A Region name, or the command's usage error. */
export function regionName(text: string, fail: (message: string) => never): string {
  if (!REGION.test(text)) fail(`"${text}" is not a region name such as eu-west-1`);
  return text;
}

/**
 * Reads `flag` into `into` when it is a connection flag and says whether it was; `value` takes the
 * flag's argument, `fail` throws the command's usage error.
 */
export function connectionFlag(
  flag: string,
  value: () => string,
  into: ConnectionFlags,
  fail: (message: string) => never,
): boolean {
  switch (flag) {
    case '--profile':
      into.profile = value();
      return true;
    case '--region':
      into.region = regionName(value(), fail);
      return true;
    case '--endpoint':
      into.endpoint = value();
      return true;
    case '--timeout':
      into.timeoutMs = wholeNumber('--timeout', value(), 600_000, fail);
      return true;
    case '--max-attempts':
      into.maxAttempts = wholeNumber('--max-attempts', value(), 20, fail);
      return true;
    default:
      return false;
  }
}
