// MIS-003: a Deny statement that locks out everyone. Decided with the evaluator, not by text
// patterns: engine/lockout.ts builds the *normal* requests of each bucket the policy names and finds
// the Deny statements that apply to every one of them (see there for what "normal" means); this
// module words the finding.
//
// TLS-005 already reports an inverted aws:SecureTransport test on its value. This rule reports the
// same statement only when the evaluator finds that it denies every normal request (the lockout
// consequence, at the statement's Effect), says that TLS-005 reports the test, and offers the same
// flip (identical edits: "fix all" applies one of them).
import { lockoutDenies, NETWORK_KEYS, SERVICE_ONLY_KEYS } from '../../engine/lockout';
import { SECURE_TRANSPORT, SSE_KEYS } from '../../engine/requests/context-keys';
import { isKeyPrefixCovered, lookupConditionKey, suggestConditionKey } from '../../knowledge';
import type { ConditionEntry, Statement } from '../../policy/model';
import { parseOperator, type ParsedOperator } from '../../policy/operators';
import { isInvertedDeny, looseBool, transportTests } from '../transport/http-gaps';
import type { Fix, Rule, TextEditSpan } from '../types';
import { asIs, requestClause } from '../../../shared/wording';
import { clip } from '../../../shared/escape';
import { show, capitalizedStatementLabel } from '../labels';
import { isEveryone, stringItems } from '../model-lookups';

// ---------------------------------------------------------------------------------------------
// Wording

const list = (items: readonly string[], join = 'or'): string =>
  items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} ${join} ${items[items.length - 1]}`;

const quotedValues = (entry: ConditionEntry): string[] =>
  entry.values.items.map(i => (typeof i.value === 'string' ? i.value : show(i.value)));

/** `"Op": {"key": value}` as written. */
const testText = (op: string, entry: ConditionEntry): string =>
  `"${op}": {"${entry.key.value}": ${entry.values.items.length === 1 ? show(entry.values.items[0].value) : show(entry.values.items.map(i => i.value))}}`;

/** Who the statement names, in words. */
function whoWords(st: Statement): string {
  if (isEveryone(st)) return 'everyone';
  const named = (st.principal ?? st.notPrincipal)?.entries.flatMap(e => stringItems(e.values).map(i => i.value)) ?? [];
  if (st.notPrincipal) return `everyone except ${list(named, 'and')}`;
  return list(named, 'and') || 'the principals it names';
}

/** What it names, in words. */
function whatWords(st: Statement): string {
  const actions = stringItems(st.action ?? st.notAction).map(i => i.value);
  if (st.notAction) return `every action except ${list(actions, 'and')}`;
  if (actions.some(a => /^(?:s3:)?\*+$/i.test(a))) return 'every S3 action';
  return list(actions, 'and');
}

interface ConditionWords {
  /** When the statement applies, one phrase per condition test ("whenever the request uses HTTPS (…)"). */
  when: string[];
  /** Why a test holds for ordinary requests, when that is not evident: whole sentences. */
  notes: string[];
  /** The Deny fires on HTTPS (TLS-005's inverted test). */
  inverted: boolean;
  /** It tests an SSE header outside the uploads that carry it. */
  sse: boolean;
  /** Misspelt keys, with a suggestion when there is one. */
  unknownKeys: { key: string; suggestion?: string }[];
  /** The network origins it requires (for the warning form). */
  network: string[];
}

/** When each condition test holds, in words, and why it holds for ordinary requests. */
function conditionWords(st: Statement): ConditionWords {
  const out: ConditionWords = { when: [], notes: [], inverted: false, sse: false, unknownKeys: [], network: [] };
  const tests = transportTests(st);
  const httpsTests = new Set(tests.filter(t => t.matches === 'https').map(t => t.entry));
  const alwaysTests = new Set(tests.filter(t => t.matches === 'both').map(t => t.entry));
  let sseNoted = false;
  for (const ob of st.condition?.operators ?? []) {
    const op: ParsedOperator | undefined = parseOperator(ob.operator.value);
    for (const entry of ob.entries) {
      const key = entry.key.value.toLowerCase();
      const text = testText(ob.operator.value, entry);
      if (key === SECURE_TRANSPORT && httpsTests.has(entry)) {
        out.inverted = true;
        out.when.push(`whenever the request uses HTTPS (${text})`);
      } else if (key === SECURE_TRANSPORT && alwaysTests.has(entry)) {
        out.when.push(`when ${text}`);
        out.notes.push('aws:SecureTransport is in every request ("true" or "false"), so that test is always true.');
      } else if (SSE_KEYS.includes(key)) {
        out.sse = true;
        const nullTrue = op?.family === 'Null' && entry.values.items.some(i => looseBool(i.value) === true);
        if (nullTrue) out.when.push(`whenever the request has no ${entry.key.value} header (${text})`);
        else {
          out.when.push(`when ${text}`);
          out.notes.push(`That test is true whenever the request has no ${entry.key.value} header.`);
        }
        if (!sseNoted)
          out.notes.push('Only uploads (s3:PutObject) can send the encryption headers, so every other request matches.');
        sseNoted = true;
      } else if (!lookupConditionKey(entry.key.value) && isKeyPrefixCovered(entry.key.value)) {
        const suggestion = suggestConditionKey(entry.key.value);
        out.unknownKeys.push({ key: entry.key.value, suggestion });
        out.when.push(`when ${text}`);
        out.notes.push(
          `"${entry.key.value}" is not a condition key AWS knows${suggestion ? ` (did you mean "${suggestion}"?)` : ''}: it is never in a request, so that test is always true.`,
        );
      } else if (NETWORK_KEYS.has(key) && op?.negated) {
        const values = list(quotedValues(entry));
        const where =
          key === 'aws:sourcevpce'
            ? `through VPC endpoint ${values}`
            : key === 'aws:sourcevpc' || key === 'aws:sourcevpcarn'
              ? `from VPC ${values}`
              : `from ${values}`;
        out.network.push(where);
        out.when.push(`whenever the request does not come ${where} (${text})`);
      } else if (SERVICE_ONLY_KEYS.has(key)) {
        out.when.push(`when ${text}`);
        out.notes.push(
          `${entry.key.value} is only in requests an AWS service makes on a resource owner's behalf: a principal's own request never has it, so that test is true for all of them.`,
        );
      } else out.when.push(`when ${text}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The fix: flip an inverted aws:SecureTransport test (the same edits as TLS-005's)

function flipFix(st: Statement): Fix | undefined {
  if (!isInvertedDeny(st)) return undefined;
  const edits: TextEditSpan[] = [];
  for (const t of transportTests(st).filter(t => t.matches === 'https')) {
    for (const item of t.entry.values.items) {
      const b = looseBool(item.value);
      if (b === undefined) return undefined;
      edits.push({ span: item.span, newText: typeof item.value === 'boolean' ? String(!b) : `"${!b}"` });
    }
  }
  if (edits.length === 0) return undefined;
  // No re-analysis needed: the statement's aws:SecureTransport tests are ANDed, and after the flip
  // one of them matches HTTP requests only, so the statement can no longer apply to any normal
  // (HTTPS) request.
  // Safe, as TLS-005's flip: the inverted test is never meant, and the flipped Deny refuses only HTTP.
  return { title: 'Deny when "aws:SecureTransport" is false (requests over HTTP)', edits, preferred: true, safe: true };
}

// ---------------------------------------------------------------------------------------------
// The rule

export const mis003: Rule = {
  meta: {
    id: 'MIS-003',
    title: 'Deny statements that lock out everyone',
    severity: 'error',
    appliesTo: ['bucket-policy'],
    why: 'An explicit Deny overrides every Allow, administrators\' included. A Deny whose condition is true for normal traffic — "Bool": {"aws:SecureTransport": "true"} (inverted), "Null" on an encryption header with "s3:*" (only uploads send it), a negated test on a misspelt key (never present, so always true), "StringNotEquals" on aws:SourceVpce when not every caller uses that endpoint, or a NotPrincipal that omits the role session ARNs — denies every caller, and nobody can read the data or change the policy any more. Only the account\'s root user can recover: it can always get, put or delete the bucket policy (API_DeleteBucketPolicy).',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Admins", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Admin"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]}, {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Admins", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Admin"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]}, {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketPolicy.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      lockout: {
        summary: '{statement} locks {who} out of bucket "{bucket}".',
        detail:
          'It locks out {callers}: {matches}, which every ordinary request matches.{notes} For example, {request}.{uploads} ' +
          "An explicit Deny overrides every Allow, administrators' included; recovery then needs the account's root user, which can always get, put or delete the bucket policy. {advice}",
      },
      networkLockout: {
        summary: '{statement} may lock out callers that do not come {where}.',
        detail:
          'It denies every ordinary request that does not come {fullWhere}: {matches}.{notes} For example, {request}. ' +
          'Unless every caller, including administrators and AWS services, uses that {path}, this locks them out. ' +
          "An explicit Deny overrides every Allow, administrators' included; recovery then needs the account's root user, which can always get, put or delete the bucket policy. " +
          'Exempt the administrators and service principals that do not use that {path} (for example with ArnNotLike on aws:PrincipalArn), or make sure every caller does.',
      },
    },
  },
  check(ctx) {
    for (const lockout of lockoutDenies(ctx.doc, ctx.budget, ctx.bucketName)) {
      const { statement: st, bucket } = lockout;
      const words = conditionWords(st);
      const data = {
        statement: capitalizedStatementLabel(st),
        bucket,
        matches: `it denies ${whoWords(st)} ${whatWords(st)} on bucket "${bucket}" ${words.when.length ? words.when.join(' and ') : 'unconditionally'}`,
        notes: words.notes.length ? ` ${words.notes.join(' ')}` : '',
        request: requestClause(lockout.witness, 'denied', asIs, 'this statement'),
      };
      if (lockout.tier === 'warning') {
        const where = list(words.network, 'and') || 'through the network path it names';
        ctx.report({
          span: st.effect!.span,
          severity: 'warning',
          messageId: 'networkLockout',
          data: {
            ...data,
            where: clip(where, 45),
            fullWhere: where,
            path: where.startsWith('through VPC endpoint') ? 'endpoint' : 'network path',
          },
        });
        continue;
      }
      let advice: string;
      // Only the inverted test has an unambiguous repair. A misspelt key is GRM-017's (a rename to
      // confirm), an encryption test on every action ENC-012's (narrow to uploads), a NotPrincipal
      // GRM-006's; any other lockout needs the author's intent.
      const fix = words.inverted ? flipFix(st) : undefined;
      if (words.inverted)
        advice =
          'Deny when "aws:SecureTransport" is "false" (requests over HTTP) instead; TLS-005 reports the inverted test itself.';
      else if (words.unknownKeys.length)
        advice = `Correct the condition key${words.unknownKeys.length > 1 ? 's' : ''} ${list(
          words.unknownKeys.map(u => `"${u.key}"`),
          'and',
        )}.`;
      else if (words.sse)
        advice =
          'Narrow its Action to "s3:PutObject" (only uploads carry the encryption headers) and its Resource to the objects ("…/*").';
      else if (st.notPrincipal)
        advice =
          'A NotPrincipal exempts a role\'s requests only when it lists the account, the role and the role\'s session ARNs: use "Principal": "*" with an ArnNotLike condition on aws:PrincipalArn for the principals to exempt (GRM-006).';
      else advice = 'Narrow its Principal, Action, Resource or Condition to the requests it is meant to refuse.';
      ctx.report({
        span: st.effect!.span,
        messageId: 'lockout',
        data: {
          ...data,
          who: lockout.rootExempt ? 'everyone but the root user' : 'everyone',
          callers: lockout.rootExempt ? 'every caller except the account root user' : 'every caller',
          uploads: lockout.uploadsPass ? ' Only well-formed uploads (s3:PutObject with aws:kms) get past it.' : '',
          advice: advice + (fix ? '' : ' (No automatic fix: narrowing it needs your intent.)'),
        },
        fixes: fix ? [fix] : [],
      });
    }
  },
};
