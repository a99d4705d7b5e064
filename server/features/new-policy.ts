// The "New Bucket Policy…" and "New KMS Key Policy…" commands run in the client, but the checks of
// each answer and the policy they produce are the engine's (core/authoring/generate.ts): the client
// asks here, so what the generator writes and what a quick-fix inserts stay the same statements.
import {
  accountProblem,
  bucketNameProblem,
  bucketPolicyProblems,
  generateBucketPolicy,
  generateKeyPolicy,
  keyArnProblem,
  keyPolicyProblems,
  principalArnListProblem,
  principalListProblem,
  regionProblem,
  trailNameProblem,
} from '../../core/authoring/generate';
import type { AnswerField, CheckAnswerResult, GeneratePolicyParams, GeneratePolicyResult } from '../../protocol/protocol';

/** The longest answer checked: real ones are far shorter, and an input box can hold anything. */
const MAX_ANSWER_LENGTH = 20_000;

const CHECKS: Record<AnswerField, (v: string) => string | undefined> = {
  bucket: bucketNameProblem,
  account: accountProblem,
  region: regionProblem,
  kmsKeyArn: keyArnProblem,
  principals: principalListProblem,
  principalArns: principalArnListProblem,
  trailName: trailNameProblem,
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkAnswer(raw: unknown): CheckAnswerResult {
  if (!isRecord(raw) || typeof raw.field !== 'string' || typeof raw.value !== 'string' || !Object.hasOwn(CHECKS, raw.field)) {
    return { problem: 'The request names no known answer field.' };
  }
  if (raw.value.length > MAX_ANSWER_LENGTH) return { problem: `The answer is over ${MAX_ANSWER_LENGTH} characters.` };
  const problem = CHECKS[raw.field as AnswerField](raw.value);
  return problem === undefined ? {} : { problem };
}

export function generatePolicy(raw: unknown): GeneratePolicyResult {
  if (!isRecord(raw) || !isRecord(raw.options)) return { problems: ['The request holds no answers.'] };
  if (JSON.stringify(raw.options).length > MAX_ANSWER_LENGTH * 4) return { problems: ['The answers are too long.'] };
  const p = raw as GeneratePolicyParams;
  if (p.kind === 'bucket-policy') {
    const problems = bucketPolicyProblems(p.options);
    return problems.length ? { problems } : { text: generateBucketPolicy(p.options) };
  }
  if (p.kind === 'key-policy') {
    const problems = keyPolicyProblems(p.options);
    return problems.length ? { problems } : { text: generateKeyPolicy(p.options) };
  }
  return { problems: ['kind: bucket-policy or key-policy'] };
}
