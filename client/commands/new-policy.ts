// "S3 Encryption: New Bucket Policy…" and "S3 Encryption: New KMS Key Policy…": a few questions
// (quick picks and input boxes that check each answer as it is typed; Esc cancels at any step),
// then a new untitled JSON document with the generated policy. The language server checks it like
// any other: untitled documents get their kind from the content and the bucket from Resource.
// Both commands also take the answers as an argument object, which skips the questions (tests,
// keybindings, other extensions): `{ bucket, sse, kmsKeyArn, minTls, banSseC, headerlessUploads }`.
import * as vscode from 'vscode';
import {
  CHECK_ANSWER_REQUEST,
  GENERATE_POLICY_REQUEST,
  type AnswerField,
  type BucketPolicyOptions,
  type CheckAnswerResult,
  type GeneratePolicyParams,
  type GeneratePolicyResult,
  type KeyPolicyOptions,
  type MinTlsChoice,
  type SseChoice,
} from '../../protocol/protocol';
import { splitList } from '../../shared/wording';
import { messageValue } from '../views/ui-text';

export const NEW_BUCKET_POLICY_COMMAND = 's3EncryptionGuard.newBucketPolicy';
export const NEW_KEY_POLICY_COMMAND = 's3EncryptionGuard.newKeyPolicy';

/** What an answer object may leave out. */
const BUCKET_DEFAULTS: Omit<BucketPolicyOptions, 'bucket'> = {
  sse: 'aws:kms',
  minTls: '1.2',
  banSseC: true,
  headerlessUploads: 'allow',
};
const KEY_DEFAULTS: Omit<KeyPolicyOptions, 'account' | 'region'> = { administrators: [], users: [] };

/** Sends a request to the language server (the checks and the generator run there). */
export type ServerRequest = <R>(method: string, params: unknown) => Promise<R>;

let request: ServerRequest | undefined;

/** The server's check of one answer, as the input box's message (undefined: fine). */
async function problem(field: AnswerField, value: string): Promise<string | undefined> {
  if (!request) return 'The language server is not running.';
  try {
    return (await request<CheckAnswerResult>(CHECK_ANSWER_REQUEST, { field, value })).problem;
  } catch (e) {
    return `Cannot check the answer: ${messageValue(e instanceof Error ? e.message : String(e), 200)}`;
  }
}
const check = (field: AnswerField) => (v: string) => problem(field, v);

export function registerNewPolicyCommands(serverRequest: ServerRequest): vscode.Disposable[] {
  request = serverRequest;
  return [
    vscode.commands.registerCommand(NEW_BUCKET_POLICY_COMMAND, (answers?: unknown) => newBucketPolicy(answers)),
    vscode.commands.registerCommand(NEW_KEY_POLICY_COMMAND, (answers?: unknown) => newKeyPolicy(answers)),
  ];
}

/** A plain answers object (a command run from a menu gets a Uri or nothing instead). */
const isAnswers = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  !(v instanceof vscode.Uri) &&
  Object.getPrototypeOf(v) === Object.prototype;

async function open(content: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument({ language: 'json', content });
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

function refuse(what: string, problems: string[]): undefined {
  // The problems quote the answers, which an argument object (another extension, a keybinding) may fill with anything.
  void vscode.window.showErrorMessage(
    `S3 Encryption Guard: cannot create the ${what}: ${messageValue(problems.join('; '), 600)}`,
  );
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The questions

interface Choice<T> extends vscode.QuickPickItem {
  value: T;
}

class Steps {
  private n = 0;
  constructor(
    private readonly title: string,
    private readonly total: number,
  ) {}

  private next(): string {
    this.n++;
    return `${this.title} (${this.n}/${this.total})`;
  }

  /** A question that does not apply to the answers so far. */
  skip(): void {
    this.n++;
  }

  /** undefined when the user pressed Esc. */
  input(
    prompt: string,
    opts: { placeHolder?: string; value?: string; validate: (v: string) => Thenable<string | undefined> | string | undefined },
  ): Thenable<string | undefined> {
    return vscode.window
      .showInputBox({
        title: this.next(),
        prompt,
        placeHolder: opts.placeHolder,
        value: opts.value,
        ignoreFocusOut: true,
        validateInput: v => opts.validate(v.trim()),
      })
      .then(v => v?.trim());
  }

  async pick<T>(placeHolder: string, items: Choice<T>[]): Promise<T | undefined> {
    const chosen = await vscode.window.showQuickPick(items, { title: this.next(), placeHolder, ignoreFocusOut: true });
    return chosen?.value;
  }

  async pickMany<T>(placeHolder: string, items: Choice<T>[]): Promise<T[] | undefined> {
    const chosen = await vscode.window.showQuickPick(items, {
      title: this.next(),
      placeHolder,
      ignoreFocusOut: true,
      canPickMany: true,
    });
    return chosen?.map(c => c.value);
  }
}

const optional =
  (c: (v: string) => Thenable<string | undefined>) =>
  (v: string): Thenable<string | undefined> | undefined =>
    v === '' ? undefined : c(v);

async function askBucketPolicy(): Promise<BucketPolicyOptions | undefined> {
  const steps = new Steps('New Bucket Policy', 6);
  const bucket = await steps.input('The bucket this policy is for', {
    placeHolder: 'payments-data',
    validate: check('bucket'),
  });
  if (bucket === undefined) return undefined;
  const sse = await steps.pick<SseChoice>('Which server-side encryption may uploads ask for?', [
    {
      label: 'SSE-KMS (aws:kms)',
      description: 'recommended',
      detail: 'Uploads that name another algorithm are denied; you can pin the KMS key next.',
      value: 'aws:kms',
    },
    {
      label: 'DSSE-KMS (aws:kms:dsse)',
      detail: 'Dual-layer encryption with KMS keys (no S3 Bucket Keys).',
      value: 'aws:kms:dsse',
    },
    { label: 'SSE-S3 (AES256)', detail: 'Keys managed by S3.', value: 'AES256' },
    {
      label: 'No requirement',
      detail: "The bucket's default encryption applies; only HTTPS (and TLS) are enforced.",
      value: 'none',
    },
  ]);
  if (sse === undefined) return undefined;
  let kmsKeyArn: string | undefined;
  if (sse === 'aws:kms' || sse === 'aws:kms:dsse') {
    const key = await steps.input('Pin uploads to this KMS key (its key ARN; leave empty to accept any key)', {
      placeHolder: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      validate: optional(check('kmsKeyArn')),
    });
    if (key === undefined) return undefined;
    kmsKeyArn = key || undefined;
  } else {
    steps.skip();
  }
  const minTls = await steps.pick<MinTlsChoice>('Deny HTTPS requests below which TLS version? (HTTP is always denied)', [
    { label: 'TLS 1.2', description: 'recommended', value: '1.2' },
    { label: 'TLS 1.3', detail: 'Older clients and SDKs may not support it.', value: '1.3' },
    { label: 'No minimum', value: null },
  ]);
  if (minTls === undefined) return undefined;
  const extras = await steps.pickMany<'banSseC' | 'strict'>('Also deny… (Enter to confirm)', [
    { label: 'Uploads with customer-provided keys (SSE-C)', description: 'recommended', value: 'banSseC', picked: true },
    {
      label: 'Uploads that name no encryption',
      detail:
        "Otherwise they are allowed and get the bucket's default encryption (set it to the same algorithm and key). Deny them only if every client sends the header.",
      value: 'strict',
    },
  ]);
  if (extras === undefined) return undefined;
  const roles = await steps.input(
    'IAM roles or users that may list the bucket and read and write objects (optional; full ARNs, separated by commas)',
    {
      placeHolder: 'arn:aws:iam::111122223333:role/app',
      validate: check('principalArns'),
    },
  );
  if (roles === undefined) return undefined;
  return {
    bucket,
    sse,
    kmsKeyArn,
    minTls,
    banSseC: extras.includes('banSseC'),
    headerlessUploads: extras.includes('strict') ? 'deny' : 'allow',
    readWriteRoles: splitList(roles),
  };
}

async function askKeyPolicy(): Promise<KeyPolicyOptions | undefined> {
  const steps = new Steps('New KMS Key Policy', 7);
  const account = await steps.input("The key's AWS account ID", { placeHolder: '111122223333', validate: check('account') });
  if (account === undefined) return undefined;
  const region = await steps.input("The key's region (S3 uses keys of the bucket's own region)", {
    placeHolder: 'us-east-1',
    validate: check('region'),
  });
  if (region === undefined) return undefined;
  const administrators = await steps.input(
    'Key administrators: manage the key, no encryption (optional; role/Name, user/Name or full ARNs, separated by commas)',
    {
      placeHolder: 'role/KeyAdmin',
      validate: check('principals'),
    },
  );
  if (administrators === undefined) return undefined;
  const users = await steps.input(
    'Key users: encrypt and decrypt through S3 only (optional; role/Name, user/Name or full ARNs, separated by commas)',
    {
      placeHolder: 'role/app',
      validate: check('principals'),
    },
  );
  if (users === undefined) return undefined;
  const bucket = await steps.input('Only for this bucket (optional; limits key users to objects of this bucket)', {
    placeHolder: 'payments-data',
    validate: optional(check('bucket')),
  });
  if (bucket === undefined) return undefined;
  const cloudTrail = await steps.pick<boolean>('Will CloudTrail encrypt trail logs with this key?', [
    { label: 'No', value: false },
    {
      label: 'Yes',
      detail: "Lets cloudtrail.amazonaws.com generate data keys for this account's trails and describe the key.",
      value: true,
    },
  ]);
  if (cloudTrail === undefined) return undefined;
  let trailName: string | undefined;
  if (cloudTrail) {
    const name = await steps.input("The trail's name (optional; limits CloudTrail to that trail with aws:SourceArn)", {
      placeHolder: 'management-events',
      validate: optional(check('trailName')),
    });
    if (name === undefined) return undefined;
    trailName = name || undefined;
  }
  return {
    account,
    region,
    administrators: splitList(administrators),
    users: splitList(users),
    bucket: bucket || undefined,
    cloudTrail: cloudTrail ? (trailName ? { trailName } : true) : false,
  };
}

// ---------------------------------------------------------------------------------------------
// The commands

async function generate(params: GeneratePolicyParams): Promise<GeneratePolicyResult> {
  if (!request) return { problems: ['the language server is not running'] };
  try {
    return await request<GeneratePolicyResult>(GENERATE_POLICY_REQUEST, params);
  } catch (e) {
    return { problems: [e instanceof Error ? e.message : String(e)] };
  }
}

/** Opens the generated bucket policy; undefined when cancelled or refused. */
export async function newBucketPolicy(answers?: unknown): Promise<vscode.TextDocument | undefined> {
  const options = isAnswers(answers) ? ({ ...BUCKET_DEFAULTS, ...answers } as BucketPolicyOptions) : await askBucketPolicy();
  if (!options) return undefined;
  const made = await generate({ kind: 'bucket-policy', options });
  if ('problems' in made) return refuse('bucket policy', made.problems);
  const doc = await open(made.text);
  if (options.sse !== 'none' && options.headerlessUploads === 'allow') {
    // The policy lets uploads without an encryption header through: the bucket's default encryption must match it.
    const key = options.kmsKeyArn ? ` with key ${messageValue(options.kmsKeyArn, 160)}` : '';
    void vscode.window.showInformationMessage(
      `S3 Encryption Guard: uploads without an encryption header get the bucket's default encryption; set it to ${messageValue(options.sse, 20)}${key} on ${messageValue(options.bucket, 100)}${options.sse === 'aws:kms' ? ' (with S3 Bucket Key)' : ''}.`,
    );
  }
  return doc;
}

/** Opens the generated key policy; undefined when cancelled or refused. */
export async function newKeyPolicy(answers?: unknown): Promise<vscode.TextDocument | undefined> {
  const options = isAnswers(answers) ? ({ ...KEY_DEFAULTS, ...answers } as KeyPolicyOptions) : await askKeyPolicy();
  if (!options) return undefined;
  const made = await generate({ kind: 'key-policy', options });
  if ('problems' in made) return refuse('key policy', made.problems);
  return open(made.text);
}
