// AWS global condition context keys, with the data type the IAM User Guide gives each one
// ("AWS global condition context keys", reference_policies_condition-keys, current page as of
// 2026; names and types only). Keys are usable in any policy for any service; whether a key is
// present in a given request is a separate question ("Availability" on that page) that the
// engine answers, not this table.
//
// Types follow the Service Authorization Reference vocabulary: a key documented as
// "String (list)" / "Multivalued" is `ArrayOfString`; "Boolean" is `Bool`; "IP address" is
// `IPAddress`. Templated keys use `${TagKey}` for the caller-chosen part.
//
// The page also lists cross-service keys (`ec2:`, `glue:`, `codebuild:`, `lambda:`, `ssm:`,
// `identitystore:`) that are set on role sessions and usable with every service; they are
// included with `crossService: true`. Note there is no `aws:RoleDelivery`: the IMDS-version
// key is `ec2:RoleDelivery`.

/** Condition-key data types, as named in the Service Authorization Reference. */
export type ConditionKeyType =
  | 'String'
  | 'ARN'
  | 'Numeric'
  | 'Bool'
  | 'Date'
  | 'IPAddress'
  | 'Binary'
  | 'ArrayOfString'
  | 'ArrayOfARN'
  | 'ArrayOfNumeric'
  | 'ArrayOfBool'
  | 'ArrayOfDate'
  | 'ArrayOfIPAddress'
  | 'ArrayOfBinary';

export interface GlobalKeyDef {
  /** Canonical spelling, e.g. `aws:SecureTransport`, `aws:PrincipalTag/${TagKey}`. */
  readonly name: string;
  readonly type: ConditionKeyType;
  /** Other operator families the page explicitly allows (aws:EpochTime: Date or Numeric). */
  readonly alsoAccepts?: readonly ConditionKeyType[];
  /** A service-prefixed key that the page lists as usable across services. */
  readonly crossService?: true;
  /** One line in our own words, for hover and completion (the keys bucket and key policies use most). */
  readonly description?: string;
}

export const GLOBAL_CONDITION_KEYS: readonly GlobalKeyDef[] = [
  // Properties of the principal
  {
    name: 'aws:PrincipalArn',
    type: 'ARN',
    description:
      'ARN of the calling principal (for a role session, the role ARN, not the session ARN); absent for anonymous requests',
  },
  {
    name: 'aws:PrincipalAccount',
    type: 'String',
    description: 'Account ID of the calling principal; absent for anonymous requests',
  },
  {
    name: 'aws:PrincipalOrgPaths',
    type: 'ArrayOfString',
    description: "Organizations paths (o-…/r-…/ou-…/) of the calling principal's account; multivalued",
  },
  {
    name: 'aws:PrincipalOrgID',
    type: 'String',
    description: "ID of the AWS Organizations organization of the calling principal's account",
  },
  { name: 'aws:PrincipalTag/${TagKey}', type: 'String', description: 'A tag attached to the calling principal (user or role)' },
  {
    name: 'aws:PrincipalIsAWSService',
    type: 'Bool',
    description:
      'true when an AWS service principal (such as cloudtrail.amazonaws.com) makes the call with its own identity; absent for anonymous requests',
  },
  {
    name: 'aws:PrincipalServiceName',
    type: 'String',
    description: 'The service principal name when an AWS service makes the call with its own identity',
  },
  { name: 'aws:PrincipalServiceNamesList', type: 'ArrayOfString' },
  { name: 'aws:PrincipalType', type: 'String', description: 'Account, User, FederatedUser, AssumedRole or Anonymous' },
  { name: 'aws:userid', type: 'String', description: 'Unique ID of the calling principal' },
  { name: 'aws:username', type: 'String', description: 'Friendly name of the calling IAM user; absent for roles' },

  // Properties of a role session
  { name: 'aws:AssumedRoot', type: 'Bool' },
  // The page notes the value is an ARN for IdPs that are not built in to AWS; String operators apply.
  { name: 'aws:FederatedProvider', type: 'String' },
  { name: 'aws:TokenIssueTime', type: 'Date' },
  { name: 'aws:SignInSessionArn', type: 'ARN' },
  { name: 'aws:MultiFactorAuthAge', type: 'Numeric', description: 'Seconds since the caller authenticated with MFA' },
  {
    name: 'aws:MultiFactorAuthPresent',
    type: 'Bool',
    description: 'Whether the temporary credentials of the call were obtained with MFA; absent for long-term access keys',
  },
  { name: 'aws:ChatbotSourceArn', type: 'ARN' },
  { name: 'aws:Ec2InstanceSourceVpc', type: 'String' },
  { name: 'aws:Ec2InstanceSourcePrivateIPv4', type: 'IPAddress' },
  { name: 'aws:SourceIdentity', type: 'String' },
  { name: 'ec2:RoleDelivery', type: 'Numeric', crossService: true },
  { name: 'ec2:SourceInstanceArn', type: 'ARN', crossService: true },
  { name: 'glue:RoleAssumedBy', type: 'String', crossService: true },
  { name: 'glue:CredentialIssuingService', type: 'String', crossService: true },
  { name: 'codebuild:BuildArn', type: 'ARN', crossService: true },
  { name: 'codebuild:ProjectArn', type: 'ARN', crossService: true },
  { name: 'lambda:SourceFunctionArn', type: 'ARN', crossService: true },
  { name: 'ssm:SourceInstanceArn', type: 'ARN', crossService: true },
  { name: 'identitystore:UserId', type: 'String', crossService: true },

  // Properties of the network
  {
    name: 'aws:SourceIp',
    type: 'IPAddress',
    description: 'Public IP address of the caller; not the private address for requests through a VPC endpoint',
  },
  { name: 'aws:SourceVpc', type: 'String', description: 'ID of the VPC whose endpoint the request came through' },
  { name: 'aws:SourceVpcArn', type: 'ARN' },
  { name: 'aws:SourceVpce', type: 'String', description: 'ID of the VPC endpoint the request came through' },
  { name: 'aws:VpceAccount', type: 'String' },
  { name: 'aws:VpceOrgID', type: 'String' },
  { name: 'aws:VpceOrgPaths', type: 'ArrayOfString' },
  {
    name: 'aws:VpcSourceIp',
    type: 'IPAddress',
    description: 'Private IP address of the caller for requests through a VPC endpoint',
  },

  // Properties of the resource
  { name: 'aws:ResourceAccount', type: 'String', description: 'Account ID that owns the resource' },
  { name: 'aws:ResourceOrgID', type: 'String', description: 'Organizations ID of the account that owns the resource' },
  { name: 'aws:ResourceOrgPaths', type: 'ArrayOfString' },
  { name: 'aws:ResourceTag/${TagKey}', type: 'String', description: 'A tag attached to the resource' },

  // Properties of the request
  {
    name: 'aws:CalledVia',
    type: 'ArrayOfString',
    description: "The services that made the request on the caller's behalf, in order; multivalued",
  },
  { name: 'aws:CalledViaFirst', type: 'String' },
  { name: 'aws:CalledViaLast', type: 'String' },
  { name: 'aws:CalledViaAWSMCP', type: 'String' },
  {
    name: 'aws:ViaAWSService',
    type: 'Bool',
    description: "true when an AWS service makes the request on the caller's behalf (forward access sessions)",
  },
  { name: 'aws:ViaAWSMCPService', type: 'Bool' },
  { name: 'aws:CurrentTime', type: 'Date', description: 'Date and time of the request' },
  { name: 'aws:EpochTime', type: 'Date', alsoAccepts: ['Numeric'], description: 'Time of the request in seconds since 1970' },
  { name: 'aws:referer', type: 'String', description: 'The HTTP Referer header: set by the caller, so not a security control' },
  { name: 'aws:RequestedRegion', type: 'String', description: 'Region the request is sent to' },
  { name: 'aws:RequestTag/${TagKey}', type: 'String', description: 'A tag passed in the request' },
  { name: 'aws:TagKeys', type: 'ArrayOfString', description: 'Tag keys passed in the request; multivalued' },
  {
    name: 'aws:SecureTransport',
    type: 'Bool',
    description: 'Whether the request arrived over TLS (HTTPS); present in every request, "false" for HTTP',
  },
  {
    name: 'aws:SourceAccount',
    type: 'String',
    description:
      'Account ID of the resource on whose behalf an AWS service makes the request (confused-deputy protection); only in service-to-service requests',
  },
  {
    name: 'aws:SourceArn',
    type: 'ARN',
    description:
      'ARN of the resource on whose behalf an AWS service makes the request (a trail, a distribution…); only in service-to-service requests',
  },
  {
    name: 'aws:SourceOrgID',
    type: 'String',
    description: 'Organizations ID of the account on whose behalf an AWS service makes the request',
  },
  { name: 'aws:SourceOrgPaths', type: 'ArrayOfString' },
  {
    name: 'aws:UserAgent',
    type: 'String',
    description: "The client's User-Agent header: set by the caller, so not a security control",
  },
  { name: 'aws:IsMcpServiceAction', type: 'Bool' },
];
