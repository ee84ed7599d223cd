"""SparkJob and HiveJob: the request they render, the jobs they refuse, and their grants."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import botocore.session
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.application_logs import ApplicationLogs
from constructs_lib.application_rules import MaximumCapacity
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.job_definition import HiveJob, SparkJob
from constructs_lib.job_runs import RetryPolicy
from constructs_lib.managed_policy_role import ManagedPolicyRole
from constructs_lib.monitoring_configuration import (
    CloudWatchLogging,
    MonitoringConfiguration,
    S3Logs,
)
from constructs_lib.releases import ReleaseLabel
from constructs_lib.runtime_configuration import Classification, spark_defaults
from constructs_lib.runtime_role import JobRuntimeRole
from constructs_lib.workers import (
    EngineType,
    InitialWorkers,
    LogType,
    WorkerConfiguration,
    WorkerType,
)
from tests.harness import Synthesis, new_app, synthesize
from tests.test_job_runs import model_problems

ACCOUNT, REGION = "123456789012", "eu-west-1"
ENV = cdk.Environment(account=ACCOUNT, region=REGION)
APP_ID = "00fabc123def4567"
APP_ARN = f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/{APP_ID}"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/analytics-runtime"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
BUILT: dict[str, Any] = {}


def _literal(stack: cdk.Stack) -> None:
    """Jobs on an imported application and role: every value literal, for the API model."""
    spark_app = EmrServerlessApplication.from_application_attributes(
        stack, "SparkApp", application_arn=APP_ARN, release=ReleaseLabel.EMR_7_12_0
    )
    role = iam.Role.from_role_arn(stack, "Role", ROLE_ARN, mutable=False)
    logs = s3.Bucket.from_bucket_name(stack, "JobLogs", "lake-job-logs")
    key = kms.Key.from_key_arn(stack, "JobKey", KEY_ARN)
    BUILT["literal_spark"] = SparkJob(
        stack,
        "LiteralSpark",
        application=spark_app,
        runtime_role=role,
        entry_point="s3://lake-jobs/wordcount.py",
        arguments=["s3://lake-raw/", "s3://lake-curated/"],
        spark_submit_parameters="--conf spark.sql.shuffle.partitions=64",
        spark_properties={"spark.dynamicAllocation.maxExecutors": "20"},
        driver=WorkerConfiguration(2, 8),
        executor=WorkerConfiguration(4, 16, disk_gb=50),
        configuration=[Classification("spark-driver-log4j2", {"rootLogger.level": "warn"})],
        monitoring=MonitoringConfiguration(s3_logs=S3Logs(logs, "jobs/", key)),
        retry_policy=RetryPolicy(max_attempts=3),
        execution_timeout_minutes=120,
        name="analytics-wordcount",
        tags={"team": "analytics"},
    )
    hive_app = EmrServerlessApplication.from_application_attributes(
        stack, "HiveApp", application_arn=APP_ARN.replace("4567", "4568")
    )
    BUILT["logged"] = SparkJob(
        stack,
        "Logged",
        application=spark_app,
        runtime_role=role,
        entry_point="/a.jar",
        monitoring=MonitoringConfiguration(
            cloudwatch_logging=CloudWatchLogging(
                log_stream_prefix="nightly", log_types={"DRIVER": [LogType.STDOUT, LogType.STDERR]}
            )
        ),
    )
    starter = ManagedPolicyRole(stack, "LiteralStarter", assumed_by=iam.AccountRootPrincipal())
    BUILT["literal_spark"].grant_start(starter)
    BUILT["literal_hive"] = HiveJob(
        stack,
        "LiteralHive",
        application=hive_app,
        runtime_role=role,
        query="s3://lake-jobs/report.sql",
        init_query_file="s3://lake-jobs/init.sql",
        hive_parameters="--hiveconf hive.exec.scratchdir=s3://lake/scratch/",
        tez_task=WorkerConfiguration(4, 16),
        execution_timeout_minutes=60,
    )


def _defined(stack: cdk.Stack) -> None:
    """Jobs on applications of this app, and their grants."""
    logs = ApplicationLogs(stack, "Logs")
    runtime = JobRuntimeRole(stack, "Runtime")
    logs.grant_write(runtime)
    app = EmrServerlessApplication(
        stack,
        "App",
        monitoring=logs.monitoring_configuration(),
        initial_capacity={
            WorkerType.SPARK_DRIVER: InitialWorkers(1, WorkerConfiguration(2, 8)),
            WorkerType.SPARK_EXECUTOR: InitialWorkers(2, WorkerConfiguration(4, 16)),
        },
        maximum_capacity=MaximumCapacity(vcpu=16, memory_gb=64),
        runtime_configuration=[spark_defaults({"spark.executor.cores": "4"})],
    )
    BUILT["app"] = app
    BUILT["sized"] = SparkJob(
        stack, "Sized", application=app, runtime_role=runtime, entry_point="/opt/job.jar"
    )
    starter = ManagedPolicyRole(stack, "Starter", assumed_by=iam.AccountRootPrincipal())
    BUILT["grant"] = BUILT["sized"].grant_start(starter)
    airflow = ManagedPolicyRole(
        stack, "Airflow", assumed_by=iam.ServicePrincipal("airflow-env.amazonaws.com")
    )
    BUILT["sized"].grant_airflow(airflow)
    BUILT["token_entry"] = SparkJob(
        stack,
        "TokenEntry",
        application=app,
        runtime_role=runtime,
        entry_point=f"s3://{logs.bucket.bucket_name}/a.py",
        arguments=[logs.bucket.bucket_name],
        name=logs.bucket.bucket_name,
    )


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    _literal(cdk.Stack(app, "Literal", env=ENV))
    _defined(cdk.Stack(app, "Defined", env=ENV))
    return synthesize(app)


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_cfn_lint_clean()
    synthesis.assert_iam_actions_exist()
    synthesis.assert_acknowledgements_specific()


@pytest.mark.parametrize("job", ["literal_spark", "literal_hive", "logged"])
def test_each_job_kind_renders_a_request_the_api_model_accepts(
    synthesis: Synthesis, job: str
) -> None:
    request = {**BUILT[job].request, "clientToken": "t"}
    shape = botocore.session.get_session().get_service_model("emr-serverless")
    assert model_problems(request, shape.operation_model("StartJobRun").input_shape) == []


def test_the_spark_request(synthesis: Synthesis) -> None:
    request = BUILT["literal_spark"].request
    assert request["applicationId"] == APP_ID
    assert request["executionRoleArn"] == ROLE_ARN
    assert request["jobDriver"] == {
        "sparkSubmit": {
            "entryPoint": "s3://lake-jobs/wordcount.py",
            "entryPointArguments": ["s3://lake-raw/", "s3://lake-curated/"],
            "sparkSubmitParameters": "--conf spark.sql.shuffle.partitions=64",
        }
    }
    assert request["configurationOverrides"] == {
        "applicationConfiguration": [
            {
                "classification": "spark-defaults",
                "properties": {
                    "spark.driver.cores": "2",
                    "spark.driver.memory": "7g",
                    "spark.executor.cores": "4",
                    "spark.executor.memory": "14g",
                    "spark.emr-serverless.executor.disk": "50g",
                    "spark.dynamicAllocation.maxExecutors": "20",
                },
            },
            {"classification": "spark-driver-log4j2", "properties": {"rootLogger.level": "warn"}},
        ],
        "monitoringConfiguration": {
            "s3MonitoringConfiguration": {
                "logUri": "s3://lake-job-logs/jobs/",
                "encryptionKeyArn": KEY_ARN,
            }
        },
    }
    assert (request["name"], request["retryPolicy"], request["executionTimeoutMinutes"]) == (
        "analytics-wordcount",
        {"maxAttempts": 3},
        120,
    )
    assert "mode" not in request
    assert "clientToken" not in request


def test_a_jobs_cloudwatch_logging_override(synthesis: Synthesis) -> None:
    monitoring = BUILT["logged"].request["configurationOverrides"]["monitoringConfiguration"]
    assert monitoring == {
        "cloudWatchLoggingConfiguration": {
            "enabled": True,
            "logGroupName": "/aws/emr-serverless",
            "logStreamNamePrefix": "nightly",
            "logTypes": {"SPARK_DRIVER": ["STDOUT", "STDERR"]},
        }
    }


def test_the_hive_request(synthesis: Synthesis) -> None:
    request = BUILT["literal_hive"].request
    assert request["jobDriver"] == {
        "hive": {
            "query": "s3://lake-jobs/report.sql",
            "initQueryFile": "s3://lake-jobs/init.sql",
            "parameters": "--hiveconf hive.exec.scratchdir=s3://lake/scratch/",
        }
    }
    assert request["configurationOverrides"]["applicationConfiguration"] == [
        {
            "classification": "hive-site",
            "properties": {"hive.tez.cpu.vcores": "4", "hive.tez.container.size": "12288"},
        }
    ]
    assert request["name"] == "LiteralHive"


def test_a_job_sized_like_its_application_sends_only_what_differs(synthesis: Synthesis) -> None:
    overrides = BUILT["sized"].request["configurationOverrides"]["applicationConfiguration"]
    # spark.executor.cores=4 is the application's already; the rest comes from its workers
    assert overrides == [
        {
            "classification": "spark-defaults",
            "properties": {
                "spark.driver.cores": "2",
                "spark.driver.memory": "7g",
                "spark.executor.memory": "14g",
            },
        }
    ]


def test_grant_start_is_the_applications_grant_and_the_jobs_log_keys(
    synthesis: Synthesis,
) -> None:
    template = synthesis.template("Defined")
    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "Roles": [{"Ref": Match.string_like_regexp("Starter")}],
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": ["emr-serverless:ListJobRuns", "emr-serverless:StartJobRun"],
                        "Effect": "Allow",
                        "Resource": {"Fn::GetAtt": [Match.string_like_regexp("^App"), "Arn"]},
                    },
                    {
                        "Action": [
                            "emr-serverless:CancelJobRun",
                            "emr-serverless:GetDashboardForJobRun",
                            "emr-serverless:GetJobRun",
                            "emr-serverless:ListJobRunAttempts",
                        ],
                        "Effect": "Allow",
                        "Resource": {
                            "Fn::Join": [
                                "",
                                [
                                    {"Fn::GetAtt": [Match.string_like_regexp("^App"), "Arn"]},
                                    "/jobruns/*",
                                ],
                            ]
                        },
                    },
                    {
                        "Action": "iam:PassRole",
                        "Condition": {
                            "StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}
                        },
                        "Effect": "Allow",
                        "Resource": {"Fn::GetAtt": [Match.string_like_regexp("^Runtime"), "Arn"]},
                    },
                    {
                        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                        "Effect": "Allow",
                        "Resource": {"Fn::GetAtt": [Match.string_like_regexp("^LogsKey"), "Arn"]},
                    },
                ],
            },
        },
    )
    assert BUILT["grant"].success


def test_grant_airflow_adds_reading_and_starting_the_application(synthesis: Synthesis) -> None:
    template = synthesis.template("Defined")
    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "Roles": [{"Ref": Match.string_like_regexp("Airflow")}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        {  # merged with the start grant's statement on the application
                            "Action": [
                                "emr-serverless:GetApplication",
                                "emr-serverless:ListJobRuns",
                                "emr-serverless:StartApplication",
                                "emr-serverless:StartJobRun",
                            ],
                            "Effect": "Allow",
                            "Resource": {"Fn::GetAtt": [Match.string_like_regexp("^App"), "Arn"]},
                        }
                    ]
                )
            },
        },
    )


def test_token_values_are_reported_unless_the_construct_made_them(
    synthesis: Synthesis,
) -> None:
    warned = {
        f.rule.removeprefix("Annotation::emr-serverless:unchecked:")
        for f in synthesis.warnings("emr-serverless:unchecked")
        if "TokenEntry" in f.path
    }
    # a bucket name in an S3 URI is surely text of the right length; a bare token is not
    assert warned == {"name"}
    assert not [f for f in synthesis.warnings("emr-serverless:unchecked") if "Sized" in f.path]


# --- refusals, each with its valid neighbour ------------------------------------------------


def _stack() -> tuple[cdk.Stack, EmrServerlessApplication, iam.IRole]:
    stack = cdk.Stack(new_app(compliance=False), "Refusals", env=ENV)
    app = EmrServerlessApplication(
        stack,
        "App",
        release=ReleaseLabel.EMR_7_12_0,
        maximum_capacity=MaximumCapacity(vcpu=12, memory_gb=48, disk_gb=100),
    )
    role = iam.Role.from_role_arn(stack, "Role", ROLE_ARN)
    return stack, app, role


def spark_job(**kwargs: Any) -> SparkJob:
    stack, app, role = _stack()
    arguments = {"entry_point": "/a.jar", **kwargs}
    return SparkJob(stack, "Job", application=app, runtime_role=role, **arguments)


@pytest.mark.parametrize(
    ("kwargs", "argument", "fragment"),
    [
        (
            {"driver": WorkerConfiguration(8, 16), "executor": WorkerConfiguration(8, 32)},
            "executor.vcpu",
            "need 16 vCPU and the application allows 12",
        ),
        ({"executor": WorkerConfiguration(16, 32)}, "executor.vcpu", "need 20 vCPU"),
        (
            {"driver": WorkerConfiguration(2, 16), "executor": WorkerConfiguration(8, 36)},
            "executor.memory_gb",
            "need 52 GB of memory",
        ),
        (
            {
                "driver": WorkerConfiguration(2, 4, disk_gb=50),
                "executor": WorkerConfiguration(2, 4, disk_gb=60),
            },
            "executor.disk_gb",
            "need 110 GB of disk",
        ),
        ({"executor": WorkerConfiguration(3, 8)}, "executor.vcpu", "1, 2, 4, 8 or 16 vCPU"),
        ({"execution_timeout_minutes": 0}, "execution_timeout_minutes", "cannot turn"),
        ({"execution_timeout_minutes": 10_081}, "execution_timeout_minutes", "1-10,080"),
        ({"retry_policy": RetryPolicy(max_attempts=11)}, "retry_policy.max_attempts", "1-10"),
        ({"entry_point": None}, "entry_point", "one entry point"),
        ({"tags": {"aws:x": "y"}}, "tags['aws:x']", "aws:"),
    ],
)
def test_refused(kwargs: dict[str, Any], argument: str, fragment: str) -> None:
    with pytest.raises(EmrServerlessValidationError) as error:
        spark_job(**kwargs)
    assert error.value.argument == argument
    assert fragment in str(error.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"driver": WorkerConfiguration(4, 16), "executor": WorkerConfiguration(8, 32)},
        {"driver": WorkerConfiguration(2, 16), "executor": WorkerConfiguration(8, 32)},
        {
            "driver": WorkerConfiguration(2, 4, disk_gb=50),
            "executor": WorkerConfiguration(2, 4, disk_gb=50),
        },
        {"execution_timeout_minutes": 10_080},
        {"execution_timeout_minutes": 1},
        {"retry_policy": RetryPolicy(max_attempts=10)},
    ],
)
def test_valid_neighbours(kwargs: dict[str, Any]) -> None:
    assert spark_job(**kwargs).request["applicationId"]


def test_the_job_must_match_the_application() -> None:
    stack, app, role = _stack()
    with pytest.raises(EmrServerlessValidationError, match="a SPARK application runs SPARK"):
        HiveJob(stack, "Hive", application=app, runtime_role=role, query="s3://b-1/q.sql")
    hive = EmrServerlessApplication(stack, "HiveApp", engine=EngineType.HIVE)
    assert HiveJob(stack, "Ok", application=hive, runtime_role=role, query="s3://b-1/q.sql")


def test_retry_policies_need_the_applications_release() -> None:
    stack = cdk.Stack(new_app(compliance=False), "Old", env=ENV)
    app = EmrServerlessApplication(stack, "App", release=ReleaseLabel.EMR_7_0_0)
    role = iam.Role.from_role_arn(stack, "Role", ROLE_ARN)
    with pytest.raises(EmrServerlessValidationError, match=r"retry policies need emr-7\.1\.0"):
        SparkJob(
            stack,
            "Job",
            application=app,
            runtime_role=role,
            entry_point="/a.jar",
            retry_policy=RetryPolicy(max_attempts=2),
            execution_timeout_minutes=0,
        )
    assert SparkJob(
        stack,
        "Ok",
        application=app,
        runtime_role=role,
        entry_point="/a.jar",
        execution_timeout_minutes=0,
    )


def test_arguments_are_checked_by_type() -> None:
    with pytest.raises(EmrServerlessValidationError, match="execution_timeout_minutes takes"):
        spark_job(execution_timeout_minutes="60")


# --- capacity: the job's own properties count; an assumed default only warns ---------------


def _small_job(**kwargs: Any) -> SparkJob:
    """A job on an application allowing 6 vCPU and 24 GB (a 2 vCPU driver and executor fit)."""
    stack = cdk.Stack(new_app(compliance=False), "Small", env=ENV)
    app = EmrServerlessApplication(
        stack,
        "App",
        release=ReleaseLabel.EMR_7_12_0,
        maximum_capacity=MaximumCapacity(vcpu=6, memory_gb=24),
    )
    role = iam.Role.from_role_arn(stack, "Role", ROLE_ARN)
    return SparkJob(
        stack, "Job", application=app, runtime_role=role, entry_point="/a.jar", **kwargs
    )


def _capacity_warnings(job: SparkJob) -> list[str]:
    return [
        str(entry.data)
        for entry in job.node.metadata
        if entry.type == "aws:cdk:warning" and "job-capacity-assumed" in str(entry.data)
    ]


def test_the_jobs_own_properties_size_it() -> None:
    # 2 + 2 vCPU fit 6; the memory is the engine's default (14g + overhead each), so the
    # 32 GB it would need is a warning, not a refusal
    job = _small_job(spark_properties={"spark.driver.cores": "2", "spark.executor.cores": "2"})
    (warning,) = _capacity_warnings(job)
    assert "32 GB of memory" in warning
    assert "driver.memory_gb=16 and executor.memory_gb=16" in warning
    # sized memory too: nothing assumed exceeds, nothing to warn about
    sized = _small_job(
        spark_properties={
            "spark.driver.cores": "2",
            "spark.driver.memory": "6g",
            "spark.executor.cores": "2",
            "spark.executor.memory": "6g",
        }
    )
    assert not _capacity_warnings(sized)


def test_only_an_assumed_size_warns() -> None:
    # the executor's 4 vCPU are the job's; the driver's 4 only the engine's default
    job = _small_job(spark_properties={"spark.executor.cores": "4", "spark.executor.memory": "6g"})
    (warning,) = _capacity_warnings(job)
    assert "need 8 vCPU" in warning
    assert "driver.vcpu=4" in warning


def test_what_the_job_sets_itself_is_refused() -> None:
    with pytest.raises(EmrServerlessValidationError, match="need 16 vCPU") as error:
        spark_job(spark_properties={"spark.driver.cores": "8", "spark.executor.cores": "8"})
    assert error.value.argument == "executor.vcpu"
    with pytest.raises(EmrServerlessValidationError, match="need 16 vCPU"):
        spark_job(driver=WorkerConfiguration(8, 16), executor=WorkerConfiguration(8, 16))


def test_job_level_settings_win_over_worker_sizes() -> None:
    # --conf and --executor-cores are what the run gets: 2 + 2 vCPU, within 12
    job = spark_job(
        driver=WorkerConfiguration(8, 16),
        executor=WorkerConfiguration(8, 16),
        spark_submit_parameters="--conf spark.driver.cores=2 --executor-cores 2",
    )
    assert job.request["applicationId"]
    # a job-level classification counts too
    assert spark_job(
        driver=WorkerConfiguration(8, 16),
        executor=WorkerConfiguration(8, 16),
        configuration=[spark_defaults({"spark.driver.cores": "2", "spark.executor.cores": "2"})],
    ).request["applicationId"]
