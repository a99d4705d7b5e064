# Orders data, as often found in the wild: every policy here looks like it enforces encryption in
# transit and at rest, and none quite does. Open it with S3 Encryption Guard to see why.

variable "environment" {
  type    = string
  default = "prod"
}

variable "partner_account" {
  description = "The partner that reads exports (no default: set per environment)."
  type        = string
}

resource "aws_s3_bucket" "orders" {
  bucket = "orders-data-${var.environment}"
}

# A key whose rotation was never turned on.
resource "aws_kms_key" "orders" {
  description = "Orders data"
}

# Default encryption is AES256 while the policy below asks for aws:kms; SSE-C is not blocked.
resource "aws_s3_bucket_server_side_encryption_configuration" "orders" {
  bucket = aws_s3_bucket.orders.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_policy" "orders" {
  bucket = aws_s3_bucket.orders.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # Denies HTTP for the objects only: listing the bucket over HTTP is still allowed.
        Sid       = "DenyHttp"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = "${aws_s3_bucket.orders.arn}/*"
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        # A typo in the algorithm: no upload names "aws:kmss", so every upload is denied... or none.
        Sid       = "RequireKms"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.orders.arn}/*"
        Condition = { StringNotEquals = { "s3:x-amz-server-side-encryption" = "aws:kmss" } }
      },
      {
        Sid       = "PartnerReadsExports"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${var.partner_account}:root" }
        Action    = ["s3:GetObjec"]
        Resource  = "${aws_s3_bucket.orders.arn}/exports/*"
      },
    ]
  })
}

# The archive bucket's policy is a heredoc copied from the console.
resource "aws_s3_bucket" "archive" {
  bucket = "orders-archive-${var.environment}"
}

resource "aws_s3_bucket_policy" "archive" {
  bucket = aws_s3_bucket.archive.id
  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "DenyHttpPuts",
          "Effect": "Deny",
          "Principal": "*",
          "Action": "s3:PutObject",
          "Resource": "${aws_s3_bucket.archive.arn}/*",
          "Condition": {"Bool": {"aws:SecureTransport": "false"}}
        }
      ]
    }
  EOF
}
