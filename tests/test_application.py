"""EmrServerlessApplication: the guide's examples and a full configuration, as synthesized."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_emrserverless as emr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Match

from constructs_lib.application import EmrServerlessApplication, account_vcpu_usage_metric
from constructs_lib.application_image import ApplicationImage
from constructs_lib.application_rules import MaximumCapacity
from constructs_lib.iam_actions import (
    APPLICATION_OPERATOR_ACTIONS,
    JOB_RUN_ACTIONS,
    JOB_SUBMIT_APPLICATION_ACTIONS,
)
from constructs_lib.interfaces import IEmrServerlessApplication
from constructs_lib.managed_policy_role import ManagedPolicyRole
from constructs_lib.metrics import CapacityAllocationType, WorkerTypeDimension
from constructs_lib.monitoring_configuration import (
    MonitoringConfiguration,
    PrometheusRemoteWrite,
)
from constructs_lib.network import EmrServerlessNetwork
from constructs_lib.releases import DEFAULT_RELEASE, ReleaseLabel
from constructs_lib.runtime_configuration import (
    hive_site,
    java17_properties,
    spark_defaults,
    spark_driver_log4j2,
)
from constructs_lib.secure_bucket import SecureBucket
from constructs_lib.subnet_planning import Workload
from constructs_lib.workers import (
    Architecture,
    DiskType,
    EngineType,
    InitialWorkers,
    WorkerConfiguration,
    WorkerType,
)
from tests.application_examples import (
    ACCOUNT,
    DIGEST,
    ENV,
    REGION,
    full_monitoring,
    guide_applications,
)
from tests.harness import Synthesis, new_app, synthesize

IDENTITY_CENTER = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
SUBNETS = {"subnet-0a": "10.0.0.0/22", "subnet-0b": "10.0.4.0/22"}


class Built:
    """The applications of the module's app, by name."""

    def __init__(self) -> None:
        self.apps: dict[str, Any] = {}


BUILT = Built()


def _guide(stack: cdk.Stack) -> None:
    BUILT.apps["spark_guide"], BUILT.apps["hive_guide"] = guide_applications(stack)


def _full(stack: cdk.Stack) -> None:
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=[f"{REGION}a", f"{REGION}b"],
        private_subnet_ids=list(SUBNETS),
        private_subnet_ipv4_cidr_blocks=list(SUBNETS.values()),
    )
    repository = ecr.Repository(
        stack, "Images", image_scan_on_push=True, removal_policy=cdk.RemovalPolicy.DESTROY
    )
    key = kms.Key(stack, "LogEncryption", enable_key_rotation=True)
    full = EmrServerlessApplication(
        stack,
        "Full",
        application_name="full-spark",
        architecture=Architecture.ARM64,
        initial_capacity={
            WorkerType.SPARK_DRIVER: InitialWorkers(2, WorkerConfiguration(4, 16)),
            WorkerType.SPARK_EXECUTOR: InitialWorkers(
                10, WorkerConfiguration(8, 32, disk_gb=500, disk_type=DiskType.SHUFFLE_OPTIMIZED)
            ),
        },
        idle_timeout=cdk.Duration.minutes(30),
        vpc=vpc,
        image=ApplicationImage.from_ecr_repository(repository, digest=DIGEST),
        monitoring=full_monitoring(stack, SecureBucket(stack, "Logs"), key),
        runtime_configuration=[
            spark_defaults(
                {
                    **java17_properties(Architecture.ARM64),
                    "spark.driver.memory": "12g",
                    "spark.executor.memory": "27g",
                    "spark.executor.cores": "8",
                    "spark.ssl.internode.enabled": "true",
                }
            ),
            spark_driver_log4j2({"rootLogger.level": "warn"}),
        ],
        studio=True,
        livy_endpoint=True,
        interactive_sessions=True,
        max_concurrent_runs=20,
        queue_timeout=cdk.Duration.hours(2),
        identity_center_instance_arn=IDENTITY_CENTER,
        tags={"team": "data", "cost-center": "42"},
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    warehouse = ec2.SecurityGroup(stack, "Warehouse", vpc=vpc, allow_all_outbound=False)
    warehouse.connections.allow_from(full, ec2.Port.tcp(5439), "Redshift from EMR Serverless")
    submitter = ManagedPolicyRole(stack, "Submitter", assumed_by=iam.AccountRootPrincipal())
    runtime = iam.Role(
        stack, "Runtime", assumed_by=iam.ServicePrincipal("emr-serverless.amazonaws.com")
    )
    operator = ManagedPolicyRole(stack, "Operator", assumed_by=iam.AccountRootPrincipal())
    BUILT.apps["full"] = full
    BUILT.apps["submit_grant"] = full.grant_start_job_run(submitter, runtime)
    BUILT.apps["operate_grant"] = full.grant_operate(operator)
    imported = EmrServerlessApplication.from_application_id(stack, "Imported", "00fabcdef12525")
    imported.grant_operate(operator)
    BUILT.apps["imported"] = imported

    dockerfile = Path(tempfile.mkdtemp(prefix="image-")) / "Dockerfile"
    dockerfile.write_text("FROM public.ecr.aws/emr-serverless/spark/emr-7.12.0:latest\n")
    asset = ecr_assets.DockerImageAsset(stack, "Asset", directory=str(dockerfile.parent))
    BUILT.apps["asset"] = EmrServerlessApplication(
        stack, "FromAsset", image=ApplicationImage.from_docker_image_asset(asset)
    )


def _hive_images(stack: cdk.Stack) -> None:
    uri = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/hive"
    # Stands in for a repository whose pull policy the URI does not reference.
    policy_holder = ecr.Repository(stack, "Repository", removal_policy=cdk.RemovalPolicy.DESTROY)
    driver_image = replace(ApplicationImage.from_uri(f"{uri}:driver"), dependables=(policy_holder,))
    BUILT.apps["hive_images"] = EmrServerlessApplication(
        stack,
        "Hive",
        engine=EngineType.HIVE,
        release=ReleaseLabel.EMR_6_9_0,
        worker_images={
            WorkerType.HIVE_DRIVER: driver_image,
            WorkerType.TEZ_TASK: ApplicationImage.from_uri(f"{uri}@{DIGEST}"),
        },
        runtime_configuration=[hive_site({"hive.exec.scratchdir": "s3://bucket/scratch"})],
        auto_start=False,
        auto_stop=False,
    )


def _networked(stack: cdk.Stack) -> None:
    network = EmrServerlessNetwork(
        stack, "Network", workloads=[Workload(max_vcpu=400, worker_vcpu=4)]
    )
    BUILT.apps["network"] = network
    BUILT.apps["networked"] = EmrServerlessApplication(stack, "App", network=network)


def _tokens(stack: cdk.Stack) -> None:
    name = cdk.CfnParameter(stack, "Name", default="tokens").value_as_string
    image = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/spark:1"
    uri = cdk.CfnParameter(stack, "ImageUri", default=image).value_as_string
    workspace = PrometheusRemoteWrite.for_workspace(workspace_id="ws-1", region=REGION)
    url = cdk.CfnParameter(
        stack, "RemoteWriteUrl", default=workspace.remote_write_url
    ).value_as_string
    runs = cdk.CfnParameter(stack, "Runs", type="Number", default=10).value_as_number
    idle = cdk.CfnParameter(stack, "IdleMinutes", type="Number", default=30).value_as_number
    BUILT.apps["tokens"] = EmrServerlessApplication(
        stack,
        "App",
        application_name=name,
        image=ApplicationImage.from_uri(uri),
        monitoring=MonitoringConfiguration(prometheus=PrometheusRemoteWrite(url)),
        max_concurrent_runs=runs,  # type: ignore[arg-type]  # a number token
        idle_timeout=cdk.Duration.minutes(idle),
    )


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    _guide(cdk.Stack(app, "Guide"))
    _full(cdk.Stack(app, "Full", env=ENV))
    _hive_images(cdk.Stack(app, "HiveImages"))
    _tokens(cdk.Stack(app, "Tokens"))
    _networked(cdk.Stack(app, "Networked"))
    return synthesize(app)


@pytest.fixture(scope="module")
def networked(synthesis: Synthesis) -> Synthesis:
    """The same synthesis: its ``Networked`` stack holds an application on EmrServerlessNetwork."""
    return synthesis


def _application(synthesis: Synthesis, stack: str, prefix: str) -> dict[str, Any]:
    resources = synthesis.templates[stack]["Resources"]
    (found,) = [
        r
        for logical_id, r in resources.items()
        if r["Type"] == "AWS::EMRServerless::Application" and logical_id.startswith(prefix)
    ]
    return found


def _capacity(drivers: str, workers: str) -> list[dict[str, Any]]:
    def pair(key: str, count: int, cpu: str, memory: str) -> dict[str, Any]:
        configuration = {"Cpu": cpu, "Memory": memory}
        return {"Key": key, "Value": {"WorkerCount": count, "WorkerConfiguration": configuration}}

    return [pair(drivers, 5, "2vCPU", "4GB"), pair(workers, 50, "4vCPU", "8GB")]


def test_guides_spark_example(synthesis: Synthesis) -> None:
    properties = _application(synthesis, "Guide", "Spark")["Properties"]
    assert properties == {
        "Name": "my-application-name",
        "Type": "SPARK",
        "ReleaseLabel": "emr-6.6.0",
        "Architecture": "X86_64",
        "InitialCapacity": _capacity("DRIVER", "EXECUTOR"),
        "MaximumCapacity": {"Cpu": "400vCPU", "Memory": "1024GB"},
        "AutoStartConfiguration": {"Enabled": True},
        "AutoStopConfiguration": {"Enabled": True, "IdleTimeoutMinutes": 15},
    }


def test_guides_hive_example_uses_the_hive_worker_types(synthesis: Synthesis) -> None:
    properties = _application(synthesis, "Guide", "Hive")["Properties"]
    assert properties["Type"] == "HIVE"
    # The guide's Hive example keys the driver DRIVER (L1369, L1381), not HIVE_DRIVER.
    assert properties["InitialCapacity"] == _capacity("DRIVER", "TEZ_TASK")
    assert properties["MaximumCapacity"] == {"Cpu": "400vCPU", "Memory": "1024GB"}


def test_application_is_deleted_by_default_and_retained_on_request(synthesis: Synthesis) -> None:
    assert _application(synthesis, "Guide", "Spark")["DeletionPolicy"] == "Delete"
    assert _application(synthesis, "Full", "Full")["DeletionPolicy"] == "Retain"


def test_full_configuration_renders_every_property(synthesis: Synthesis) -> None:
    properties = _application(synthesis, "Full", "Full")["Properties"]
    assert properties["Architecture"] == "ARM64"
    assert properties["ReleaseLabel"] == DEFAULT_RELEASE.label == "emr-7.14.0"
    assert properties["InitialCapacity"][1] == {
        "Key": "EXECUTOR",
        "Value": {
            "WorkerCount": 10,
            "WorkerConfiguration": {
                "Cpu": "8vCPU",
                "Memory": "32GB",
                "Disk": "500GB",
                "DiskType": "SHUFFLE_OPTIMIZED",
            },
        },
    }
    assert properties["AutoStopConfiguration"] == {"Enabled": True, "IdleTimeoutMinutes": 30}
    assert properties["InteractiveConfiguration"] == {
        "StudioEnabled": True,
        "LivyEndpointEnabled": True,
        "SessionEnabled": True,
    }
    assert properties["SchedulerConfiguration"] == {
        "MaxConcurrentRuns": 20,
        "QueueTimeoutMinutes": 120,
    }
    assert properties["IdentityCenterConfiguration"] == {
        "IdentityCenterInstanceArn": IDENTITY_CENTER
    }
    assert properties["Tags"] == [
        {"Key": "cost-center", "Value": "42"},
        {"Key": "team", "Value": "data"},
    ]
    assert properties["RuntimeConfiguration"][0]["Classification"] == "spark-defaults"
    assert properties["RuntimeConfiguration"][0]["Properties"]["spark.executorEnv.JAVA_HOME"] == (
        "/usr/lib/jvm/java-17-amazon-corretto.aarch64/"
    )
    assert properties["RuntimeConfiguration"][1] == {
        "Classification": "spark-driver-log4j2",
        "Properties": {"rootLogger.level": "warn"},
    }


def test_maximum_capacity_is_not_rendered_when_omitted(synthesis: Synthesis) -> None:
    # maximumCapacity is optional (API, CloudFormation): no ceiling the service would not set.
    properties = _application(synthesis, "Full", "Full")["Properties"]
    assert "MaximumCapacity" not in properties
    full = BUILT.apps["full"]
    assert full.maximum_capacity is None
    assert full.peak_workers is None
    guide = BUILT.apps["spark_guide"]
    assert guide.maximum_capacity == MaximumCapacity(vcpu=400, memory_gb=1024)
    assert guide.peak_workers == 200  # 400 vCPU of 2 vCPU drivers, the smallest workers


def test_monitoring_blocks(synthesis: Synthesis) -> None:
    monitoring = _application(synthesis, "Full", "Full")["Properties"]["MonitoringConfiguration"]
    key_arn = {"Fn::GetAtt": [Match.string_like_regexp("^LogEncryption"), "Arn"]}
    assert monitoring["S3MonitoringConfiguration"]["LogUri"]["Fn::Join"][1][0] == "s3://"
    assert monitoring["S3MonitoringConfiguration"]["LogUri"]["Fn::Join"][1][-1] == "/emr/full/"
    assert set(monitoring["S3MonitoringConfiguration"]) == {"LogUri", "EncryptionKeyArn"}
    cloudwatch = monitoring["CloudWatchLoggingConfiguration"]
    assert cloudwatch["Enabled"] is True
    assert cloudwatch["LogGroupName"] == "/aws/emr-serverless/full"
    assert cloudwatch["LogStreamNamePrefix"] == "full/jobs"
    assert cloudwatch["LogTypeMap"] == [
        {"Key": "SPARK_DRIVER", "Value": ["STDOUT", "STDERR"]},
        {"Key": "SPARK_EXECUTOR", "Value": ["STDERR"]},
    ]
    assert monitoring["ManagedPersistenceMonitoringConfiguration"]["Enabled"] is True
    assert monitoring["PrometheusMonitoringConfiguration"] == {
        "RemoteWriteUrl": "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1234-abcd"
        "/api/v1/remote_write"
    }
    synthesis.template("Full").has_resource_properties(
        "AWS::EMRServerless::Application",
        {
            "MonitoringConfiguration": Match.object_like(
                {
                    "ManagedPersistenceMonitoringConfiguration": {
                        "Enabled": True,
                        "EncryptionKeyArn": key_arn,
                    }
                }
            )
        },
    )


def test_network_uses_the_vpcs_private_subnets_and_a_closed_group(synthesis: Synthesis) -> None:
    network = _application(synthesis, "Full", "Full")["Properties"]["NetworkConfiguration"]
    assert network["SubnetIds"] == list(SUBNETS)
    (group_ref,) = network["SecurityGroupIds"]
    group_id = group_ref["Fn::GetAtt"][0]
    group = synthesis.templates["Full"]["Resources"][group_id]
    assert group["Properties"].get("SecurityGroupIngress") is None
    assert group["Properties"]["SecurityGroupEgress"] == [
        {
            "CidrIp": "0.0.0.0/0",
            "Description": "Allow all outbound traffic by default",
            "IpProtocol": "-1",
        }
    ]


def test_other_groups_can_admit_the_workers(synthesis: Synthesis) -> None:
    synthesis.template("Full").has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "FromPort": 5439,
            "ToPort": 5439,
            "GroupId": {"Fn::GetAtt": [Match.string_like_regexp("^Warehouse"), "GroupId"]},
            "SourceSecurityGroupId": {
                "Fn::GetAtt": [Match.string_like_regexp("^FullSecurityGroup"), "GroupId"]
            },
        },
    )


def test_network_construct_supplies_subnets_and_group(networked: Synthesis) -> None:
    network = _application(networked, "Networked", "App")["Properties"]["NetworkConfiguration"]
    assert len(network["SubnetIds"]) == 3
    assert all("Ref" in subnet for subnet in network["SubnetIds"])
    (group,) = network["SecurityGroupIds"]
    assert group["Fn::GetAtt"][0].startswith("NetworkSecurityGroup")
    app = BUILT.apps["networked"]
    assert app.security_groups == (BUILT.apps["network"].security_group,)


def _repository(synthesis: Synthesis, stack: str) -> str:
    resources = synthesis.templates[stack]["Resources"]
    (name,) = [name for name, r in resources.items() if r["Type"] == "AWS::ECR::Repository"]
    return name


def test_image_from_repository_pins_the_digest_and_references_the_repository(
    synthesis: Synthesis,
) -> None:
    application = _application(synthesis, "Full", "Full")
    uri = application["Properties"]["ImageConfiguration"]["ImageUri"]
    assert uri["Fn::Join"][1][-1] == f"@{DIGEST}"
    assert {"Ref": _repository(synthesis, "Full")} in uri["Fn::Join"][1]
    # the reference orders creation; the lifecycle's BeforeUpdate is the only DependsOn
    assert [d for d in application["DependsOn"] if "LifecycleBeforeUpdate" not in d] == []


def test_application_waits_for_image_dependables(synthesis: Synthesis) -> None:
    application = _application(synthesis, "HiveImages", "Hive")
    depends_on = [d for d in application["DependsOn"] if "LifecycleBeforeUpdate" not in d]
    assert depends_on == [_repository(synthesis, "HiveImages")]


def test_per_worker_type_images_use_the_api_keys(synthesis: Synthesis) -> None:
    properties = _application(synthesis, "HiveImages", "Hive")["Properties"]
    uri = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/hive"
    assert properties["WorkerTypeSpecifications"] == {
        "HiveDriver": {"ImageConfiguration": {"ImageUri": f"{uri}:driver"}},
        "TezTask": {"ImageConfiguration": {"ImageUri": f"{uri}@{DIGEST}"}},
    }
    assert "ImageConfiguration" not in properties
    assert properties["AutoStartConfiguration"] == {"Enabled": False}
    assert properties["AutoStopConfiguration"] == {"Enabled": False}


def _policy_statements(synthesis: Synthesis, role_prefix: str) -> list[dict[str, Any]]:
    policies = synthesis.template("Full").find_resources(
        "AWS::IAM::ManagedPolicy",
        {"Properties": {"Roles": [{"Ref": Match.string_like_regexp(f"^{role_prefix}")}]}},
    )
    (policy,) = policies.values()
    return list(policy["Properties"]["PolicyDocument"]["Statement"])


def test_submitter_can_run_jobs_pass_the_role_and_use_the_log_key(synthesis: Synthesis) -> None:
    assert BUILT.apps["submit_grant"].success
    statements = _policy_statements(synthesis, "Submitter")
    actions = {action for s in statements for action in _as_list(s["Action"])}
    assert actions == {
        *JOB_SUBMIT_APPLICATION_ACTIONS,
        *JOB_RUN_ACTIONS,
        "iam:PassRole",
        "kms:Decrypt",
        "kms:GenerateDataKey",
    }
    (pass_role,) = [s for s in statements if s["Action"] == "iam:PassRole"]
    assert pass_role["Resource"]["Fn::GetAtt"][0].startswith("Runtime")
    (use_key,) = [s for s in statements if "kms:Decrypt" in _as_list(s["Action"])]
    assert use_key == {
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Effect": "Allow",
        "Resource": {"Fn::GetAtt": [_logical_id_of(synthesis, "LogEncryption"), "Arn"]},
    }


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _logical_id_of(synthesis: Synthesis, prefix: str) -> str:
    (found,) = [n for n in synthesis.templates["Full"]["Resources"] if n.startswith(prefix)]
    return found


def test_operator_grant_on_defined_and_imported_applications(synthesis: Synthesis) -> None:
    assert BUILT.apps["operate_grant"].success
    (statement,) = _policy_statements(synthesis, "Operator")
    assert statement["Action"] == sorted(APPLICATION_OPERATOR_ACTIONS)
    imported = f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/00fabcdef12525"
    defined = {"Fn::GetAtt": [_logical_id(synthesis, "Full", "Full"), "Arn"]}
    assert sorted(statement["Resource"], key=str) == sorted([imported, defined], key=str)


def _logical_id(synthesis: Synthesis, stack: str, prefix: str) -> str:
    resources = synthesis.templates[stack]["Resources"]
    (found,) = [
        logical_id
        for logical_id, r in resources.items()
        if r["Type"] == "AWS::EMRServerless::Application" and logical_id.startswith(prefix)
    ]
    return found


def test_application_id_and_arn_are_the_resources_attributes() -> None:
    full = BUILT.apps["full"]
    stack = cdk.Stack.of(full)
    assert stack.resolve(full.application_id)["Fn::GetAtt"][1] == "ApplicationId"
    assert stack.resolve(full.application_arn)["Fn::GetAtt"][1] == "Arn"
    assert isinstance(full, IEmrServerlessApplication)
    assert isinstance(BUILT.apps["imported"], IEmrServerlessApplication)
    assert BUILT.apps["imported"].application_id == "00fabcdef12525"


def test_implements_aws_cdk_libs_application_ref() -> None:
    full = BUILT.apps["full"]
    stack = cdk.Stack.of(full)
    arn = emr.CfnApplication.arn_for_application(full)
    assert stack.resolve(arn) == stack.resolve(full.application_arn)
    wrapped = EmrServerlessApplication.from_application_ref(stack, "Wrapped", full)
    assert stack.resolve(wrapped.application_id) == stack.resolve(full.application_id)


def test_exposes_what_monitoring_needs() -> None:
    full = BUILT.apps["full"]
    assert full.engine is EngineType.SPARK
    assert full.release == ReleaseLabel.EMR_7_14_0
    assert full.architecture is Architecture.ARM64
    assert full.application_name == "full-spark"
    assert full.worker_types == (WorkerType.SPARK_DRIVER, WorkerType.SPARK_EXECUTOR)
    assert full.monitoring.encryption_keys  # one key, used by three blocks
    assert len(set(map(id, full.monitoring.encryption_keys))) == 1


def test_metrics_select_by_name_from_7_10_0() -> None:
    full, guide = BUILT.apps["full"], BUILT.apps["spark_guide"]
    stack = cdk.Stack.of(full)
    failed = full.metric_failed_jobs()
    assert (failed.namespace, failed.metric_name, failed.statistic) == (
        "AWS/EMRServerless",
        "FailedJobs",
        "Sum",
    )
    assert failed.period.to_seconds() == 60
    assert set(stack.resolve(failed.dimensions)) == {"ApplicationId", "ApplicationName"}
    assert stack.resolve(failed.dimensions)["ApplicationName"] == "full-spark"
    assert set(cdk.Stack.of(guide).resolve(guide.metric_failed_jobs().dimensions)) == {
        "ApplicationId"
    }


def test_capacity_metric_breakdown() -> None:
    full = BUILT.apps["full"]
    metric = full.metric_running_worker_count(
        worker_type=WorkerTypeDimension.SPARK_EXECUTOR,
        capacity_allocation_type=CapacityAllocationType.ON_DEMAND,
        period=cdk.Duration.minutes(5),
    )
    dimensions = cdk.Stack.of(full).resolve(metric.dimensions)
    assert dimensions["WorkerType"] == "Spark_Executor"
    assert dimensions["CapacityAllocationType"] == "OnDemandCapacity"
    assert metric.statistic == "Average"
    assert metric.period.to_minutes() == 5


@pytest.mark.parametrize(
    "helper",
    [name for name in dir(EmrServerlessApplication) if name.startswith("metric_")],
)
def test_every_named_metric_helper_resolves(helper: str) -> None:
    metric = getattr(BUILT.apps["full"], helper)()
    words = helper.removeprefix("metric_").replace("_", "")
    assert metric.metric_name.lower() == words


def test_account_vcpu_usage_metric() -> None:
    metric = account_vcpu_usage_metric()
    assert (metric.namespace, metric.metric_name, metric.statistic) == (
        "AWS/Usage",
        "ResourceCount",
        "Maximum",
    )
    assert metric.dimensions == {
        "Service": "EMR Serverless",
        "Type": "Resource",
        "Resource": "vCPU",
        "Class": "None",
    }


def test_warnings_name_what_was_not_checked(synthesis: Synthesis) -> None:
    unchecked = {
        f.rule.removeprefix("Annotation::") for f in synthesis.warnings("emr-serverless:unchecked")
    }
    assert unchecked == {
        "emr-serverless:unchecked:application_name",
        "emr-serverless:unchecked:image",
        "emr-serverless:unchecked:monitoring.prometheus.remote_write_url",
        "emr-serverless:unchecked:max_concurrent_runs",
        "emr-serverless:unchecked:idle_timeout",
        # The imported VPC's routes are not known, so whether jobs reach S3 is not checked.
        "emr-serverless:unchecked:vpc_subnets.routes",
    }
    properties = _application(synthesis, "Tokens", "App")["Properties"]
    assert properties["SchedulerConfiguration"] == {"MaxConcurrentRuns": {"Ref": "Runs"}}
    assert properties["AutoStopConfiguration"]["IdleTimeoutMinutes"] == {"Ref": "IdleMinutes"}
    assert properties["Name"] == {"Ref": "Name"}
    (asset_warning,) = synthesis.warnings("emr-serverless:image")
    assert asset_warning.path.endswith("Full/FromAsset")
    assert "bootstrap assets repository" in asset_warning.description


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_acknowledgements_specific()
    synthesis.assert_iam_actions_exist()
    synthesis.assert_cfn_lint_clean()
