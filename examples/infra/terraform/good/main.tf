# Payments data: SSE-KMS under its own key by default, with a Bucket Key; SSE-C blocked; a bucket
# policy that denies HTTP, TLS below 1.2, uploads naming another encryption or another key, and SSE-C.

variable "environment" {
  description = "Deployment stage, part of every bucket name."
  type        = string
  default     = "prod"
}

variable "account_id" {
  description = "The account that owns the bucket and the key."
  type        = string
  default     = "111122223333"
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

locals {
  bucket_name = "payments-data-${var.environment}"
  app_role    = "arn:aws:iam::${var.account_id}:role/payments-app"
  admin_role  = "arn:aws:iam::${var.account_id}:role/KeyAdmin"
}

resource "aws_kms_key" "payments" {
  description         = "Encrypts the objects of the payments bucket"
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "Enable IAM User Permissions"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${var.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "Allow access for Key Administrators"
        Effect    = "Allow"
        Principal = { AWS = local.admin_role }
        Action = [
          "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
          "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
          "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
        ]
        Resource = "*"
      },
      {
        Sid       = "Allow use of the key through S3"
        Effect    = "Allow"
        Principal = { AWS = local.app_role }
        Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource  = "*"
        Condition = {
          StringEquals = { "kms:ViaService" = "s3.${var.region}.amazonaws.com", "kms:CallerAccount" = var.account_id }
          StringLike   = { "kms:EncryptionContext:aws:s3:arn" = [aws_s3_bucket.payments.arn, "${aws_s3_bucket.payments.arn}/*"] }
        }
      },
    ]
  })
}

resource "aws_s3_bucket" "payments" {
  bucket = local.bucket_name
}

resource "aws_s3_bucket_server_side_encryption_configuration" "payments" {
  bucket = aws_s3_bucket.payments.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.payments.arn
    }
    bucket_key_enabled       = true
    blocked_encryption_types = ["SSE-C"]
  }
}

resource "aws_s3_bucket_public_access_block" "payments" {
  bucket                  = aws_s3_bucket.payments.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

data "aws_iam_policy_document" "transport" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.payments.arn, "${aws_s3_bucket.payments.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid       = "DenyOutdatedTls"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.payments.arn, "${aws_s3_bucket.payments.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }
}

data "aws_iam_policy_document" "payments" {
  # Transport rules are shared with the other buckets of the team.
  source_policy_documents = [data.aws_iam_policy_document.transport.json]

  statement {
    sid       = "DenyUploadsNamingAnotherEncryption"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.payments.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringNotEqualsIfExists"
      variable = "s3:x-amz-server-side-encryption"
      values   = ["aws:kms"]
    }
    condition {
      test     = "Null"
      variable = "s3:x-amz-server-side-encryption"
      values   = ["false"]
    }
  }

  statement {
    sid       = "DenyCustomerProvidedKeys"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.payments.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Null"
      variable = "s3:x-amz-server-side-encryption-customer-algorithm"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "payments" {
  bucket = aws_s3_bucket.payments.id
  policy = data.aws_iam_policy_document.payments.json
}
