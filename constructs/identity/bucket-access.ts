import { PolicyStatement } from '../common/iam';

export interface BucketPrefixAccess {
  /** ARN of the bucket (`arn:aws:s3:::<name>`). */
  readonly bucketArn: string;
  /** The only prefix the statements reach, ending with `/` (e.g. `stable/`, `models/`). */
  readonly prefix: string;
  /** KMS key of the bucket's SSE-KMS (used through S3 of `region` only, for this bucket only). */
  readonly kmsKeyArn: string;
  readonly region: string;
  /** `read`: get and list; `read-write`: also put and delete (a delete adds a delete marker: the bucket is versioned). */
  readonly access: 'read' | 'read-write';
  /** Names the statements (`ReadWrite<Label>Objects`...); alphanumeric. */
  readonly label: string;
}

/**
 * Statements for objects under one prefix of an SSE-KMS bucket and nothing else in it: objects
 * under the prefix, a listing limited to the prefix (`s3:prefix`), and the key through S3 of the
 * bucket's region for this bucket (the encryption context is the bucket ARN with S3 Bucket Keys,
 * the object ARN without). No version, ACL, retention or bucket-level action.
 */
export function bucketPrefixStatements(a: BucketPrefixAccess): PolicyStatement[] {
  if (!/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*\/$/.test(a.prefix)) {
    throw new Error(`bucket prefix must look like "stable/" (lower-case path segments ending with "/", no wildcard). Got: ${a.prefix}`);
  }
  if (!/^[A-Za-z0-9]+$/.test(a.label)) throw new Error(`statement label must be alphanumeric. Got: ${a.label}`);
  const write = a.access === 'read-write';
  return [
    {
      Sid: `List${a.label}Prefix`,
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: a.bucketArn,
      Condition: { StringLike: { 's3:prefix': [a.prefix.replace(/\/$/, ''), `${a.prefix}*`] } },
    },
    {
      Sid: `${write ? 'ReadWrite' : 'Read'}${a.label}Objects`,
      Effect: 'Allow',
      Action: write ? ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'] : 's3:GetObject',
      Resource: `${a.bucketArn}/${a.prefix}*`,
    },
    {
      Sid: `Use${a.label}KeyThroughS3`,
      Effect: 'Allow',
      Action: write ? ['kms:GenerateDataKey', 'kms:Decrypt'] : 'kms:Decrypt',
      Resource: a.kmsKeyArn,
      Condition: {
        StringEquals: { 'kms:ViaService': `s3.${a.region}.amazonaws.com` },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [a.bucketArn, `${a.bucketArn}/${a.prefix}*`] },
      },
    },
  ];
}
