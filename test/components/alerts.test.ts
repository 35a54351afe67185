/**
 * Alerts (`notifications`): the central topic per region (KMS key, alias, topic, policy, email
 * subscriptions), the publisher role, the EventBridge rules and the maintenance window tasks'
 * NotificationConfig. Requests are mapped from the provider's documented arguments and checked
 * against botocore 1.44.8's models (test/aws-models):
 * - aws_kms_key / aws_kms_alias: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/kms_key
 *   (policy → Policy, description → Description, enable_key_rotation → EnableKeyRotation);
 *   .../kms_alias (name → AliasName, target_key_id → TargetKeyId, "either an ARN or key_id")
 * - aws_sns_topic / aws_sns_topic_policy: .../sns_topic (name → Name, kms_master_key_id →
 *   Attributes.KmsMasterKeyId), .../sns_topic_policy (SetTopicAttributes with AttributeName Policy)
 * - aws_cloudwatch_event_rule / _target: .../cloudwatch_event_rule (event_pattern → EventPattern,
 *   state → State), .../cloudwatch_event_target (target_id → Id, arn → Arn, role_arn → RoleArn)
 * - aws_ssm_maintenance_window_task: .../ssm_maintenance_window_task
 *   (run_command_parameters.notification_config → RunCommand.NotificationConfig,
 *   run_command_parameters.service_role_arn → RunCommand.ServiceRoleArn)
 */
import { strict as assert } from "assert";
import { stringify } from "yaml";
import { FleetError, parseFleet } from "../../automation/fleet/parse-fleet";
import { centralAccountConfig, memberAccountConfig } from "../../automation/stacks";
import {
  TOPIC_POLICY_MAX_BYTES,
  alertKeyPolicy,
  alertTopicPolicy,
} from "../../components/alert-policies";
import { buildTopology } from "../../components/topology";
import type { PolicyDocument } from "../../components/iam-policies";
import { AUTOMATION_STATUSES, COMMAND_NOTIFICATION_EVENTS } from "../../domain";
import { requestProblems, shape } from "../aws-models";
import { installMocks, json, mockArn, named, ofType, resources, settle } from "../helpers/mocks";
import { baseFleet } from "../fleet/fixtures";
import { CENTRAL, MEMBER_A, MEMBER_B, config, issuesOf, rawCentral, rawMember } from "./fixtures";

type Inputs = Record<string, unknown>;

function withNotifications(raw: Inputs, notifications: unknown): Inputs {
  return {
    ...raw,
    regions: ["us-east-1", "eu-west-1"],
    maintenanceWindows: {
      scan: { schedule: "cron(0 1 ? * * *)", durationHours: 2, cutoffHours: 1 },
    },
    notifications,
  };
}

/** Drops undefined members, as the SDK does not send them. */
function clean<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

describe("alerts: notifications settings", () => {
  it("patchfleet's value lists are AWS's: NotificationEvent and AutomationExecutionStatus", () => {
    // botocore ssm model, shapes NotificationEvent and AutomationExecutionStatus.
    assert.deepEqual([...COMMAND_NOTIFICATION_EVENTS], shape("ssm", "NotificationEvent").enum);
    assert.deepEqual([...AUTOMATION_STATUSES], shape("ssm", "AutomationExecutionStatus").enum);
  });

  it("an empty section turns alerts on with the defaults", () => {
    const c = config(withNotifications(rawCentral(), {}));
    assert.deepEqual(c.notifications, {
      topicName: "patchfleet-alerts",
      commandEvents: ["Failed", "TimedOut"],
      automationStatuses: ["Failed", "TimedOut", "CompletedWithFailure"],
      emails: [],
    });
    assert.equal(config(rawCentral()).notifications, undefined);
  });

  it("names the field and the fix for every bad value", () => {
    assert.deepEqual(
      issuesOf(
        withNotifications(rawCentral(), {
          topicName: "alerts.fifo",
          commandEvents: ["Failed", "Failure", "Failed"],
          automationStatuses: [],
          emails: ["ops"],
          topicNam: "x",
        }),
      ),
      [
        "notifications.topicNam: unknown key; did you mean topicName? Known keys here: topicName, commandEvents, automationStatuses, emails",
        'notifications.topicName: must be 1–256 letters, digits, _ and - (a standard SNS topic name; FIFO topics are not supported by Run Command notifications), got "alerts.fifo"',
        'notifications.commandEvents[1]: must be one of All, InProgress, Success, TimedOut, Cancelled, Failed, got "Failure"',
        "notifications.commandEvents[2]: Failed is listed twice; list it once",
        `notifications.automationStatuses: must list at least one of ${AUTOMATION_STATUSES.join(", ")}, got an empty list; leave it out for the default Failed, TimedOut, CompletedWithFailure`,
        'notifications.emails[0]: must be an email address like ops@example.com, got "ops"',
      ],
    );
  });

  it("the fleet file's notifications: section reports the YAML line", () => {
    const doc = { ...baseFleet(), notifications: { commandEvents: ["Timeout"] } };
    const text = stringify(doc);
    try {
      parseFleet(text, "fleet.yaml");
      assert.fail("expected the fleet to be rejected");
    } catch (err) {
      assert.ok(err instanceof FleetError);
      const lines = text.split("\n");
      const line = lines.findIndex((l) => l.includes("- Timeout")) + 1;
      assert.deepEqual(
        err.issues.map((i) => ({ ...i })),
        [
          {
            path: "notifications.commandEvents[0]",
            message:
              'must be one of All, InProgress, Success, TimedOut, Cancelled, Failed, got "Timeout"',
            line,
          },
        ],
      );
    }
  });

  it("a fleet's notifications reach every account's config", () => {
    const fleet = parseFleet(
      stringify({ ...baseFleet(), notifications: { emails: ["ops@example.com"] } }),
      "fleet.yaml",
    );
    const central = centralAccountConfig(fleet);
    assert.deepEqual(central.notifications?.emails, ["ops@example.com"]);
    assert.equal(
      memberAccountConfig(fleet, fleet.members[0]!).notifications?.topicName,
      "patchfleet-alerts",
    );
  });
});

describe("alerts: policies", () => {
  const writers = {
    partition: "aws",
    centralAccountId: CENTRAL,
    accountIds: [CENTRAL, MEMBER_A, MEMBER_B],
  };

  it("the topic policy names only its own topic, with a unique Id and Sids", () => {
    const p = alertTopicPolicy(writers, "eu-west-1", "patchfleet-alerts");
    // "Each policy must cover only a single topic", "must have a unique policy Id", "each
    // statement ... a unique sid"; Resource "must match the ARN of the policy's topic".
    // https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html
    assert.ok(p.Id.length > 0);
    const sids = p.Statement.map((s) => s.Sid);
    assert.equal(new Set(sids).size, sids.length);
    for (const s of p.Statement) {
      assert.equal(s.Resource, `arn:aws:sns:eu-west-1:${CENTRAL}:patchfleet-alerts`);
      assert.equal(s.Action, "sns:Publish");
    }
    // EventBridge publishes to an SNS topic under the topic's resource policy, as the service
    // principal events.amazonaws.com.
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html
    assert.ok(
      p.Statement.some(
        (s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: "events.amazonaws.com" }),
      ),
    );
  });

  it("the key lets SNS publishers and EventBridge generate data keys and decrypt", () => {
    const k: PolicyDocument = alertKeyPolicy(writers, "us-east-1");
    // Publishers to an encrypted topic need kms:GenerateDataKey* and kms:Decrypt on its key; the
    // key policy of a customer managed key must allow the EventBridge service principal.
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
    const events = k.Statement.find(
      (s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: "events.amazonaws.com" }),
    );
    assert.deepEqual(events?.Action, ["kms:GenerateDataKey*", "kms:Decrypt"]);
    const fleet = k.Statement.find((s) => s.Sid === "FleetPublishersThroughSns");
    assert.deepEqual(
      fleet?.Condition?.StringEquals?.["kms:ViaService"],
      "sns.us-east-1.amazonaws.com",
    );
    // Without a statement for the account itself the key could not be managed by IAM policies.
    // https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
    assert.ok(k.Statement.some((s) => s.Action === "kms:*"));
  });

  it("stays under SNS's 30 KB and KMS's 32 KB for 1,000 listed accounts", () => {
    const ids = Array.from({ length: 1000 }, (_, i) => String(100000000000 + i));
    const w = { ...writers, accountIds: ids };
    const topic = Buffer.byteLength(
      JSON.stringify(alertTopicPolicy(w, "us-east-1", "x".repeat(256))),
    );
    const key = Buffer.byteLength(JSON.stringify(alertKeyPolicy(w, "us-east-1")));
    assert.ok(topic <= TOPIC_POLICY_MAX_BYTES && TOPIC_POLICY_MAX_BYTES === 30 * 1024, `${topic}`);
    assert.ok(key <= 32768, `${key}`);
  });
});

describe("alerts: components", function () {
  this.timeout(120_000);
  beforeEach(installMocks);

  it("central: per region a key, alias, encrypted topic, policy, subscriptions and a rule", async () => {
    buildTopology(
      "pf",
      config(withNotifications(rawCentral(), { emails: ["ops@example.com", "sec@example.com"] })),
    );
    await settle();
    for (const region of ["us-east-1", "eu-west-1"]) {
      const base = `pf-${region}-alert-topic`;
      const topic = named(`${base}-topic`);
      assert.equal(topic.inputs.name, "patchfleet-alerts");
      assert.equal(topic.inputs.kmsMasterKeyId, mockArn("aws:kms/key:Key", `${base}-key`));
      assert.equal(named(`${base}-key`).inputs.enableKeyRotation, true);
      assert.equal(named(`${base}-key-alias`).inputs.name, "alias/patchfleet-alerts");
      assert.equal(
        ofType("aws:sns/topicSubscription:TopicSubscription").filter((r) => r.name.startsWith(base))
          .length,
        2,
      );
      const target = named(`pf-${region}-alert-forwarding-target`);
      // Same account: no role; the topic policy lets events.amazonaws.com publish.
      assert.equal(target.inputs.roleArn, undefined);
    }
    assert.equal(ofType("aws:sns/topic:Topic").length, 2);
    assert.equal(ofType("aws:cloudwatch/eventRule:EventRule").length, 2);
    const rule = named("pf-us-east-1-alert-forwarding-rule");
    // The automation execution event: source aws.ssm, detail-type "EC2 Automation Execution
    // Status-change Notification", detail.Status an AutomationExecutionStatus.
    // https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-systems-manager-event-examples.html
    assert.deepEqual(json(rule.inputs.eventPattern), {
      source: ["aws.ssm"],
      "detail-type": ["EC2 Automation Execution Status-change Notification"],
      detail: { Status: ["Failed", "TimedOut", "CompletedWithFailure"] },
    });
  });

  it("member: the rule targets the central topic of its own Region through the publisher role", async () => {
    buildTopology("pf", config(withNotifications(rawMember(), {})));
    await settle();
    assert.equal(ofType("aws:sns/topic:Topic").length, 0);
    assert.equal(ofType("aws:kms/key:Key").length, 0);
    for (const region of ["us-east-1", "eu-west-1"]) {
      const target = named(`pf-${region}-alert-forwarding-target`);
      // EventBridge delivers to targets in another account only in the same Region, with an
      // execution role in the rule's account.
      // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-cross-account.html
      assert.equal(target.inputs.arn, `arn:aws:sns:${region}:${CENTRAL}:patchfleet-alerts`);
      assert.ok(typeof target.inputs.roleArn === "string" && target.inputs.roleArn !== "");
    }
    const role = named("pf-alert-publisher-role");
    const trust = json<PolicyDocument>(role.inputs.assumeRolePolicy);
    // RELIABILITY I1: every service trust carries aws:SourceAccount and aws:SourceArn.
    for (const s of trust.Statement) {
      assert.equal(s.Condition?.StringEquals?.["aws:SourceAccount"], MEMBER_A);
      assert.ok(s.Condition?.ArnLike?.["aws:SourceArn"]);
    }
    const windowRole = named("pf-roles-maintenance-window");
    const policy = json<PolicyDocument>(
      (windowRole.inputs.inlinePolicies as { policy: string }[])[0]!.policy,
    );
    const pass = policy.Statement.find((s) => s.Action === "iam:PassRole");
    assert.equal(pass?.Resource, `arn:aws:iam::${MEMBER_A}:role/patchfleet-AlertPublisher`);
    assert.deepEqual(pass?.Condition, {
      StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" },
    });
  });

  it("what alerts send passes AWS's request models", async () => {
    buildTopology("pf", config(withNotifications(rawCentral(), { emails: ["ops@example.com"] })));
    await settle();
    const problems: string[] = [];
    const counted: Record<string, number> = {};
    const check = (service: "kms" | "sns" | "events" | "ssm", op: string, request: Inputs) => {
      counted[op] = (counted[op] ?? 0) + 1;
      problems.push(...requestProblems(service, op, clean(request)));
    };
    const keyArn = `arn:aws:kms:us-east-1:${CENTRAL}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    for (const r of ofType("aws:kms/key:Key")) {
      check("kms", "CreateKey", { Policy: r.inputs.policy, Description: r.inputs.description });
    }
    for (const r of ofType("aws:kms/alias:Alias")) {
      check("kms", "CreateAlias", { AliasName: r.inputs.name, TargetKeyId: keyArn });
    }
    for (const r of ofType("aws:sns/topic:Topic")) {
      check("sns", "CreateTopic", { Name: r.inputs.name, Attributes: { KmsMasterKeyId: keyArn } });
    }
    for (const r of ofType("aws:sns/topicPolicy:TopicPolicy")) {
      check("sns", "SetTopicAttributes", {
        TopicArn: `arn:aws:sns:us-east-1:${CENTRAL}:patchfleet-alerts`,
        AttributeName: "Policy",
        AttributeValue: r.inputs.policy,
      });
    }
    for (const r of ofType("aws:cloudwatch/eventRule:EventRule")) {
      check("events", "PutRule", {
        Name: r.inputs.name,
        EventPattern: r.inputs.eventPattern,
        State: r.inputs.state,
        Description: r.inputs.description,
      });
    }
    for (const r of ofType("aws:cloudwatch/eventTarget:EventTarget")) {
      check("events", "PutTargets", {
        Rule: "patchfleet-automation-failed",
        Targets: [{ Id: r.inputs.targetId, Arn: r.inputs.arn, RoleArn: r.inputs.roleArn }],
      });
    }
    for (const r of ofType("aws:ssm/maintenanceWindowTask:MaintenanceWindowTask")) {
      const run = (r.inputs.taskInvocationParameters as { runCommandParameters: Inputs })
        .runCommandParameters;
      const n = run.notificationConfig as Inputs;
      check("ssm", "RegisterTaskWithMaintenanceWindow", {
        WindowId: "mw-0123456789abcdef0",
        TaskArn: r.inputs.taskArn,
        TaskType: r.inputs.taskType,
        TaskInvocationParameters: {
          RunCommand: {
            ServiceRoleArn: run.serviceRoleArn,
            NotificationConfig: {
              NotificationArn: n.notificationArn,
              NotificationEvents: n.notificationEvents,
              NotificationType: n.notificationType,
            },
          },
        },
      });
      assert.deepEqual(n.notificationEvents, ["Failed", "TimedOut"]);
      assert.equal(n.notificationType, "Command");
    }
    assert.deepEqual(problems, []);
    for (const op of [
      "CreateKey",
      "CreateAlias",
      "CreateTopic",
      "SetTopicAttributes",
      "PutRule",
      "PutTargets",
      "RegisterTaskWithMaintenanceWindow",
    ]) {
      assert.ok((counted[op] ?? 0) > 0, op);
    }
    // Not vacuous: a wrong event name is refused by the model.
    assert.deepEqual(
      requestProblems("ssm", "RegisterTaskWithMaintenanceWindow", {
        WindowId: "mw-0123456789abcdef0",
        TaskArn: "AWS-RunPatchBaseline",
        TaskType: "RUN_COMMAND",
        TaskInvocationParameters: {
          RunCommand: { NotificationConfig: { NotificationEvents: ["Timeout"] } },
        },
      }).length > 0,
      true,
    );
    assert.ok(resources.length > 0);
  });
});
