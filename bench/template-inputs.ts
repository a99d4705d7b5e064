// Benchmark inputs for infrastructure templates: a CloudFormation template (YAML) and a Terraform
// module of about 500 KB each, with 40 bucket policies and 10 key policies among the resources a
// real stack has around them (buckets with their encryption, roles with inline policies, functions,
// queues, alarms). Deterministic: the same sizes give the same text, so timings compare across runs.
//
//   node out/bench/template-inputs.js [DIR]   writes DIR/stack.yaml and DIR/main.tf (default bench/inputs)
import fs from 'node:fs';
import path from 'node:path';

export interface TemplateShape {
  /** Approximate size to reach with the resources around the policies. */
  bytes: number;
  bucketPolicies: number;
  keyPolicies: number;
}

export const BENCH_SHAPE: TemplateShape = { bytes: 500 * 1024, bucketPolicies: 40, keyPolicies: 10 };

const ACCOUNT = '111122223333';
const pad = (n: number) => String(n).padStart(2, '0');

// ---------------------------------------------------------------------------------------------
// CloudFormation (YAML)

function cfnBucket(i: number, keys: number): string {
  const key = `DataKey${pad(i % keys)}`;
  // A few buckets keep AES256 as their default (what cross-resource checks look at).
  const sse =
    i % 7 === 3
      ? `            SSEAlgorithm: AES256`
      : `            SSEAlgorithm: aws:kms\n            KMSMasterKeyID: !GetAtt ${key}.Arn`;
  return `  Bucket${pad(i)}:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: bench-data-${pad(i)}
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
${sse}
            BucketKeyEnabled: true
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
      Tags:
        - Key: team
          Value: data-platform
`;
}

function cfnBucketPolicy(i: number, keys: number): string {
  const b = `Bucket${pad(i)}`;
  // Some policies carry the mistakes the rules find: a lower-case Effect, an ARN without /*.
  const effect = i % 5 === 1 ? 'deny' : 'Deny';
  const objects = i % 6 === 2 ? `!GetAtt ${b}.Arn` : `!Sub '\${${b}.Arn}/*'`;
  return `  ${b}Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref ${b}
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Sid: DenyInsecureTransport
            Effect: ${effect}
            Principal: '*'
            Action: 's3:*'
            Resource:
              - !GetAtt ${b}.Arn
              - !Sub '\${${b}.Arn}/*'
            Condition:
              Bool:
                'aws:SecureTransport': 'false'
          - Sid: DenyOutdatedTls
            Effect: Deny
            Principal: '*'
            Action: 's3:*'
            Resource:
              - !GetAtt ${b}.Arn
              - !Sub '\${${b}.Arn}/*'
            Condition:
              NumericLessThan:
                's3:TlsVersion': '1.2'
          - Sid: DenyUploadsNamingAnotherEncryption
            Effect: Deny
            Principal: '*'
            Action: 's3:PutObject'
            Resource: !Sub '\${${b}.Arn}/*'
            Condition:
              StringNotEqualsIfExists:
                's3:x-amz-server-side-encryption': 'aws:kms'
              'Null':
                's3:x-amz-server-side-encryption': 'false'
          - Sid: DenyUploadsNamingAnotherKey
            Effect: Deny
            Principal: '*'
            Action: 's3:PutObject'
            Resource: !Sub '\${${b}.Arn}/*'
            Condition:
              ArnNotEqualsIfExists:
                's3:x-amz-server-side-encryption-aws-kms-key-id': !GetAtt DataKey${pad(i % keys)}.Arn
          - Sid: AllowReader
            Effect: Allow
            Principal:
              AWS: !GetAtt Reader${pad(i)}Role.Arn
            Action:
              - 's3:GetObject'
              - 's3:ListBucket'
            Resource:
              - !GetAtt ${b}.Arn
              - ${objects}
`;
}

function cfnKey(k: number): string {
  return `  DataKey${pad(k)}:
    Type: AWS::KMS::Key
    Properties:
      Description: Data key ${k}
      EnableKeyRotation: ${k % 4 === 2 ? 'false' : 'true'}
      KeyPolicy:
        Version: '2012-10-17'
        Statement:
          - Sid: Enable IAM User Permissions
            Effect: Allow
            Principal:
              AWS: 'arn:aws:iam::${ACCOUNT}:root'
            Action: 'kms:*'
            Resource: '*'
          - Sid: Allow access for Key Administrators
            Effect: Allow
            Principal:
              AWS: 'arn:aws:iam::${ACCOUNT}:role/KeyAdmin'
            Action:
              - 'kms:Create*'
              - 'kms:Describe*'
              - 'kms:Enable*'
              - 'kms:List*'
              - 'kms:Put*'
              - 'kms:Update*'
              - 'kms:Revoke*'
              - 'kms:Disable*'
              - 'kms:Get*'
              - 'kms:Delete*'
              - 'kms:ScheduleKeyDeletion'
              - 'kms:CancelKeyDeletion'
            Resource: '*'
          - Sid: Allow use of the key through S3
            Effect: Allow
            Principal:
              AWS: 'arn:aws:iam::${ACCOUNT}:role/app-${k}'
            Action:
              - 'kms:GenerateDataKey'
              - 'kms:Decrypt'
            Resource: '*'
            Condition:
              StringEquals:
                'kms:ViaService': 's3.us-east-1.amazonaws.com'
                'kms:CallerAccount': '${ACCOUNT}'
`;
}

/** Resources without a bucket or key policy, as many as the size needs (roles, functions, queues, alarms). */
function cfnFiller(n: number): string {
  return `  Reader${pad(n)}Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: bench-reader-${n}
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: 'sts:AssumeRole'
      Policies:
        - PolicyName: read-data
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action:
                  - 's3:GetObject'
                  - 's3:ListBucket'
                  - 'kms:Decrypt'
                Resource: '*'
  Reader${pad(n)}Function:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: bench-reader-${n}
      Runtime: nodejs20.x
      Handler: index.handler
      Role: !GetAtt Reader${pad(n)}Role.Arn
      MemorySize: 256
      Timeout: 30
      Environment:
        Variables:
          STAGE: production
          LOG_LEVEL: info
      Code:
        ZipFile: |
          exports.handler = async event => {
            console.log(JSON.stringify(event));
            return { statusCode: 200 };
          };
  Reader${pad(n)}Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: bench-reader-${n}
      KmsMasterKeyId: alias/aws/sqs
      VisibilityTimeout: 60
  Reader${pad(n)}Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: bench-reader-${n}-errors
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions:
        - Name: FunctionName
          Value: !Ref Reader${pad(n)}Function
      Statistic: Sum
      Period: 300
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
`;
}

export function cloudFormationTemplate(shape: TemplateShape = BENCH_SHAPE): string {
  const parts = [`AWSTemplateFormatVersion: '2010-09-09'\nDescription: Benchmark stack\nResources:\n`];
  for (let k = 0; k < shape.keyPolicies; k++) parts.push(cfnKey(k));
  for (let i = 0; i < shape.bucketPolicies; i++)
    parts.push(cfnBucket(i, shape.keyPolicies), cfnBucketPolicy(i, shape.keyPolicies));
  let size = parts.reduce((n, p) => n + p.length, 0);
  // Every bucket policy names its reader role: those come first, then more until the size is reached.
  for (let n = 0; n < shape.bucketPolicies || size < shape.bytes; n++) {
    const f = cfnFiller(n);
    parts.push(f);
    size += f.length;
  }
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------
// Terraform

function tfBucket(i: number, keys: number): string {
  const b = `data_${pad(i)}`;
  const sse =
    i % 7 === 3
      ? `      sse_algorithm = "AES256"`
      : `      sse_algorithm     = "aws:kms"\n      kms_master_key_id = aws_kms_key.data_${pad(i % keys)}.arn`;
  return `resource "aws_s3_bucket" "${b}" {
  bucket = "bench-data-${pad(i)}"
  tags = {
    team = "data-platform"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "${b}" {
  bucket = aws_s3_bucket.${b}.id
  rule {
    apply_server_side_encryption_by_default {
${sse}
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "${b}" {
  bucket                  = aws_s3_bucket.${b}.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

`;
}

/** Half the bucket policies as jsonencode, half as aws_iam_policy_document: both are common. */
function tfBucketPolicy(i: number, keys: number): string {
  const b = `data_${pad(i)}`;
  const effect = i % 5 === 1 ? 'deny' : 'Deny';
  const objects = i % 6 === 2 ? `aws_s3_bucket.${b}.arn` : `"\${aws_s3_bucket.${b}.arn}/*"`;
  const key = `aws_kms_key.data_${pad(i % keys)}.arn`;
  if (i % 2 === 0)
    return `resource "aws_s3_bucket_policy" "${b}" {
  bucket = aws_s3_bucket.${b}.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "${effect}"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.${b}.arn, "\${aws_s3_bucket.${b}.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        Sid       = "DenyOutdatedTls"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.${b}.arn, "\${aws_s3_bucket.${b}.arn}/*"]
        Condition = { NumericLessThan = { "s3:TlsVersion" = "1.2" } }
      },
      {
        Sid       = "DenyUploadsNamingAnotherEncryption"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:PutObject"
        Resource  = "\${aws_s3_bucket.${b}.arn}/*"
        Condition = {
          StringNotEqualsIfExists = { "s3:x-amz-server-side-encryption" = "aws:kms" }
          Null                    = { "s3:x-amz-server-side-encryption" = "false" }
        }
      },
      {
        Sid       = "DenyUploadsNamingAnotherKey"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:PutObject"
        Resource  = "\${aws_s3_bucket.${b}.arn}/*"
        Condition = { ArnNotEqualsIfExists = { "s3:x-amz-server-side-encryption-aws-kms-key-id" = ${key} } }
      },
      {
        Sid       = "AllowReader"
        Effect    = "Allow"
        Principal = { AWS = aws_iam_role.reader_${pad(i)}.arn }
        Action    = ["s3:GetObject", "s3:ListBucket"]
        Resource  = [aws_s3_bucket.${b}.arn, ${objects}]
      }
    ]
  })
}

`;
  return `data "aws_iam_policy_document" "${b}" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "${effect}"
    actions = ["s3:*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    resources = [aws_s3_bucket.${b}.arn, "\${aws_s3_bucket.${b}.arn}/*"]
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
  statement {
    sid     = "DenyOutdatedTls"
    effect  = "Deny"
    actions = ["s3:*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    resources = [aws_s3_bucket.${b}.arn, "\${aws_s3_bucket.${b}.arn}/*"]
    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }
  statement {
    sid       = "DenyUploadsNamingAnotherKey"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = ["\${aws_s3_bucket.${b}.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "ArnNotEqualsIfExists"
      variable = "s3:x-amz-server-side-encryption-aws-kms-key-id"
      values   = [${key}]
    }
  }
  statement {
    sid       = "AllowReader"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [aws_s3_bucket.${b}.arn, ${objects}]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.reader_${pad(i)}.arn]
    }
  }
}

resource "aws_s3_bucket_policy" "${b}" {
  bucket = aws_s3_bucket.${b}.id
  policy = data.aws_iam_policy_document.${b}.json
}

`;
}

function tfKey(k: number): string {
  return `resource "aws_kms_key" "data_${pad(k)}" {
  description         = "Data key ${k}"
  enable_key_rotation = ${k % 4 === 2 ? 'false' : 'true'}
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "Enable IAM User Permissions"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${ACCOUNT}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "Allow access for Key Administrators"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${ACCOUNT}:role/KeyAdmin" }
        Action = [
          "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
          "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"
        ]
        Resource = "*"
      },
      {
        Sid       = "Allow use of the key through S3"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${ACCOUNT}:role/app-${k}" }
        Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource  = "*"
        Condition = {
          StringEquals = { "kms:ViaService" = "s3.us-east-1.amazonaws.com", "kms:CallerAccount" = "${ACCOUNT}" }
        }
      }
    ]
  })
}

`;
}

function tfFiller(n: number): string {
  return `resource "aws_iam_role" "reader_${pad(n)}" {
  name = "bench-reader-${n}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "reader_${pad(n)}" {
  name = "read-data"
  role = aws_iam_role.reader_${pad(n)}.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "s3:ListBucket", "kms:Decrypt"], Resource = "*" }]
  })
}

resource "aws_lambda_function" "reader_${pad(n)}" {
  function_name = "bench-reader-${n}"
  runtime       = "nodejs20.x"
  handler       = "index.handler"
  role          = aws_iam_role.reader_${pad(n)}.arn
  memory_size   = 256
  timeout       = 30
  filename      = "reader.zip"
  environment {
    variables = {
      STAGE     = "production"
      LOG_LEVEL = "info"
    }
  }
}

resource "aws_sqs_queue" "reader_${pad(n)}" {
  name                       = "bench-reader-${n}"
  kms_master_key_id          = "alias/aws/sqs"
  visibility_timeout_seconds = 60
}

resource "aws_cloudwatch_metric_alarm" "reader_${pad(n)}" {
  alarm_name          = "bench-reader-${n}-errors"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.reader_${pad(n)}.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
}

`;
}

export function terraformModule(shape: TemplateShape = BENCH_SHAPE): string {
  const parts: string[] = [];
  for (let k = 0; k < shape.keyPolicies; k++) parts.push(tfKey(k));
  for (let i = 0; i < shape.bucketPolicies; i++) parts.push(tfBucket(i, shape.keyPolicies), tfBucketPolicy(i, shape.keyPolicies));
  let size = parts.reduce((n, p) => n + p.length, 0);
  for (let n = 0; n < shape.bucketPolicies || size < shape.bytes; n++) {
    const f = tfFiller(n);
    parts.push(f);
    size += f.length;
  }
  return parts.join('');
}

if (require.main === module) {
  const dir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', 'bench', 'inputs'));
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of [
    ['stack.yaml', cloudFormationTemplate()],
    ['main.tf', terraformModule()],
  ] as const) {
    fs.writeFileSync(path.join(dir, name), text);
    console.log(`${path.join(dir, name)}: ${(text.length / 1024).toFixed(0)} KB`);
  }
}
