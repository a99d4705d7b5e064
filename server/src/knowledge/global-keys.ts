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
}

export const GLOBAL_CONDITION_KEYS: readonly GlobalKeyDef[] = [
  // Properties of the principal
  { name: 'aws:PrincipalArn', type: 'ARN' },
  { name: 'aws:PrincipalAccount', type: 'String' },
  { name: 'aws:PrincipalOrgPaths', type: 'ArrayOfString' },
  { name: 'aws:PrincipalOrgID', type: 'String' },
  { name: 'aws:PrincipalTag/${TagKey}', type: 'String' },
  { name: 'aws:PrincipalIsAWSService', type: 'Bool' },
  { name: 'aws:PrincipalServiceName', type: 'String' },
  { name: 'aws:PrincipalServiceNamesList', type: 'ArrayOfString' },
  { name: 'aws:PrincipalType', type: 'String' },
  { name: 'aws:userid', type: 'String' },
  { name: 'aws:username', type: 'String' },

  // Properties of a role session
  { name: 'aws:AssumedRoot', type: 'Bool' },
  // The page notes the value is an ARN for IdPs that are not built in to AWS; String operators apply.
  { name: 'aws:FederatedProvider', type: 'String' },
  { name: 'aws:TokenIssueTime', type: 'Date' },
  { name: 'aws:SignInSessionArn', type: 'ARN' },
  { name: 'aws:MultiFactorAuthAge', type: 'Numeric' },
  { name: 'aws:MultiFactorAuthPresent', type: 'Bool' },
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
  { name: 'aws:SourceIp', type: 'IPAddress' },
  { name: 'aws:SourceVpc', type: 'String' },
  { name: 'aws:SourceVpcArn', type: 'ARN' },
  { name: 'aws:SourceVpce', type: 'String' },
  { name: 'aws:VpceAccount', type: 'String' },
  { name: 'aws:VpceOrgID', type: 'String' },
  { name: 'aws:VpceOrgPaths', type: 'ArrayOfString' },
  { name: 'aws:VpcSourceIp', type: 'IPAddress' },

  // Properties of the resource
  { name: 'aws:ResourceAccount', type: 'String' },
  { name: 'aws:ResourceOrgID', type: 'String' },
  { name: 'aws:ResourceOrgPaths', type: 'ArrayOfString' },
  { name: 'aws:ResourceTag/${TagKey}', type: 'String' },

  // Properties of the request
  { name: 'aws:CalledVia', type: 'ArrayOfString' },
  { name: 'aws:CalledViaFirst', type: 'String' },
  { name: 'aws:CalledViaLast', type: 'String' },
  { name: 'aws:CalledViaAWSMCP', type: 'String' },
  { name: 'aws:ViaAWSService', type: 'Bool' },
  { name: 'aws:ViaAWSMCPService', type: 'Bool' },
  { name: 'aws:CurrentTime', type: 'Date' },
  { name: 'aws:EpochTime', type: 'Date', alsoAccepts: ['Numeric'] },
  { name: 'aws:referer', type: 'String' },
  { name: 'aws:RequestedRegion', type: 'String' },
  { name: 'aws:RequestTag/${TagKey}', type: 'String' },
  { name: 'aws:TagKeys', type: 'ArrayOfString' },
  { name: 'aws:SecureTransport', type: 'Bool' },
  { name: 'aws:SourceAccount', type: 'String' },
  { name: 'aws:SourceArn', type: 'ARN' },
  { name: 'aws:SourceOrgID', type: 'String' },
  { name: 'aws:SourceOrgPaths', type: 'ArrayOfString' },
  { name: 'aws:UserAgent', type: 'String' },
  { name: 'aws:IsMcpServiceAction', type: 'Bool' },
];
