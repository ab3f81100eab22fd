/** The --help texts. docs/cli.md shows the same commands with sample output. */
import { KMS_CREATE_KEY_OPERATION } from '../lib/bridge/desired-wiring.ts';

const EXIT_CODES = `Exit codes:
  0    done, nothing wrong found
  1    findings: drift, conflicts or failures
  2    bad usage or configuration; nothing was done
  3    could not run: KMS/IAM unreachable, authentication refused, secret unreadable
  130  interrupted (Ctrl-C)`;

const KMS_ENV = `Configuration (the Lambda's environment; flags override it):
  HUAWEICLOUD_PROJECT_ID, HUAWEICLOUD_REGION   or HUAWEICLOUD_PROJECTS (id=region,...)
  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK       or HUAWEICLOUD_IAM_USER/_PASSWORD/_DOMAIN, ...
  HUAWEICLOUD_CREDENTIALS_SECRET_ID            or the AK/SK secret, read with your AWS credentials
  KMS_ENDPOINT, IAM_ENDPOINT                   private or local endpoints
  ALIAS_TEMPLATE, ALIAS_VAR_<NAME>             the naming convention
  KMS_RATE_LIMIT, MAX_RETRIES, REQUEST_TIMEOUT_MS, RETRY_*_DELAY_MS
DLQ_URL is not needed.`;

export const GLOBAL_HELP = `kms-auto-alias: operator tools for the KMS auto-alias function

Usage: kms-auto-alias <command> [options]

Commands:
  explain      show the alias the naming template gives an event (no network)
  backfill     give existing keys the alias the convention asks for
  reconcile    report drift between a project's keys and the convention (read-only)
  replay-dlq   send DLQ records back to the source queue
  wire         set up (or --check) CTS -> SMN -> the ingest URL on the Huawei side

Options:
  -h, --help     help for kms-auto-alias or a command (kms-auto-alias <command> --help)
  --version      print the version

Every command reads the same environment variables as the Lambda; flags override them.
Tables go to stdout (--json for a JSON document), progress to stderr.

${EXIT_CODES}
`;

export const EXPLAIN_HELP = `Usage: kms-auto-alias explain [--event FILE | --events DIR] [--template T] [--tags T] [--var NAME=VALUE]... [--json]

Shows what the naming template makes of a key-created event, without any network call: the
normalised event, the alias, which fields made it, and any rule it breaks. Use it to write or
change a naming convention.

Options:
  --event FILE       one message body (a CTS trace, {"cts": ...}, a CloudEvent, SNS/EventBridge
                     wrapped, or {"type": "kms.key.created", ...}); "-" or no option: stdin
  --events DIR       every *.json file in DIR (e.g. events/), one row each
  --template T       try this template instead of ALIAS_TEMPLATE
  --tags T           try this tag template instead of TAG_TEMPLATE (key=value,key=value)
  --var NAME=VALUE   a template constant, instead of ALIAS_VAR_<NAME> (repeatable)
  --json             print a JSON document instead of tables
  -h, --help         this help

Configuration: ALIAS_TEMPLATE, ALIAS_VAR_<NAME> and TAG_TEMPLATE only.

Examples:
  kms-auto-alias explain --event events/canonical.json
  kms-auto-alias explain --template 'alias/{env}/{key_alias|slug}' --var env=prod --events events/
  aws sqs receive-message ... | jq -r '.Messages[0].Body' | kms-auto-alias explain

Exit codes:
  0    every event gives a valid alias
  1    an event gives no alias (not a key event, a missing field, a broken rule)
  2    bad usage, or a template that does not compile
`;

export const BACKFILL_HELP = `Usage: kms-auto-alias backfill [--project ID] [--region R] [--account A] [--dry-run] [--rate N] [--resume FILE] [--page-size N] [--json]

Gives every enabled customer key of a project the alias the convention asks for, with the
handler's own idempotent create (one CreateAlias per key; an alias held by another key is a
conflict and is never moved). Lists keys with POST /v1.0/{project_id}/kms/list-keys (key_spec ALL).

Skipped, each with its reason: default keys (default_key), disabled, pending deletion, pending
import and pending activation keys, and keys in a dedicated keystore (keystore_id not "0").

Options:
  --project ID     only this project (default: every configured project, one after another)
  --region R       its region (default: from HUAWEICLOUD_PROJECTS or HUAWEICLOUD_REGION)
  --account A      with HUAWEICLOUD_ACCOUNTS: only this account's projects (its id or name);
                   each account is called with its own credentials or agency, and its own limit
  --dry-run        change nothing: list keys and aliases, and report what would be created
  --rate N         KMS calls per second (default KMS_RATE_LIMIT if set, else 10; KMS allows 20
                   per user, shared with the live function)
  --resume FILE    keep a journal in FILE and continue from it: run the same command again after
                   an interruption or failures; done keys are not redone (not with --dry-run;
                   one project only)
  --page-size N    keys per list-keys page (default 100)
  --template T, --var NAME=VALUE   override ALIAS_TEMPLATE / ALIAS_VAR_<NAME>
  --json           print a JSON document instead of tables
  -h, --help       this help

${KMS_ENV}

Examples:
  kms-auto-alias backfill --project 0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c --region cn-north-4 --dry-run
  kms-auto-alias backfill --resume backfill-cn-north-4.jsonl --rate 5
  kms-auto-alias backfill --account payments --dry-run

Exit codes:
  0    every key settled: created, already present or skipped
  1    conflicts or failures (run again with the same --resume to retry failures)
  2    bad usage or configuration (also: a --resume file for another project or template,
       or in use by another backfill)
  3    could not run: KMS/IAM unreachable, authentication refused, secret unreadable; KMS
       still throttling after the retries (no new key started: run the same command later);
       or one of several projects could not be listed (the others still ran)
  130  interrupted; run the same command to continue
`;

export const RECONCILE_HELP = `Usage: kms-auto-alias reconcile [--project ID] [--region R] [--account A] [--json]

Read-only drift report for each configured project (or one), key by key. Checks the keys backfill would alias
(enabled customer keys in the default keystore) for:
  missing         the key lacks its alias and no key holds it (backfill would create it)
  conflict        another key holds the key's alias
  non_conforming  an alias of the key that the template could never produce (its fixed text and
                  placeholder shapes do not match); aliases that look like the template's output
                  but are not the expected one are left alone
  naming_failed   the template cannot name the key (a missing field, a broken rule)
  held_by_pending_deletion
                  a key pending deletion still holds an alias of the template's shape (the
                  name ON_KEY_DELETION=release would give back)

Options:
  --project ID     only this project (default: every configured project, one after another)
  --region R       its region (default: from HUAWEICLOUD_PROJECTS or HUAWEICLOUD_REGION)
  --account A      with HUAWEICLOUD_ACCOUNTS: only this account's projects (its id or name)
  --rate N         KMS calls per second (default KMS_RATE_LIMIT if set, else 10)
  --template T, --var NAME=VALUE   check against another template
  --json           print the DriftReport as JSON ({"projects": [...]} when several)
  -h, --help       this help

${KMS_ENV}

Exit codes:
  0    no drift
  1    drift found
  2    bad usage or configuration
  3    could not run: KMS/IAM unreachable, authentication refused, secret unreadable (with
       several projects: any one of them; the others are still reported)
`;

export const REPLAY_HELP = `Usage: kms-auto-alias replay-dlq --to QUEUE_URL [--from QUEUE_URL] [--max N] [--dry-run] [--filter REASON]... [--json]

Sends DLQ records' original bodies back to the source queue. Each DLQ message is deleted only
after its send succeeded, so none is lost; a message whose send fails stays in the DLQ. Works on
records the function wrote (reason in the kms_auto_alias.reason attribute) and on bare bodies the
queue's own redrive moved there (reason "redrive").

Options:
  --to QUEUE_URL     the source queue the function reads
  --from QUEUE_URL   the DLQ (default DLQ_URL)
  --max N            move at most N messages
  --dry-run          receive and report, move nothing
  --filter REASON    only reasons starting with REASON, e.g. failed:kms_throttled, invalid,
                     conflict, redrive (repeatable: any of them)
  --wait SECONDS     long-poll wait of each receive, 0-20 (default 1)
  --json             print a JSON document instead of tables
  -h, --help         this help

Configuration: DLQ_URL, SQS_ENDPOINT (local SQS-compatible servers), AWS_REGION and the usual
AWS credential chain. No Huawei credentials are needed.

Messages left in the DLQ are hidden while the command runs (so none is read twice) and made
visible again at the end.

Exit codes:
  0    every selected message moved (or --dry-run)
  1    some sends failed; those messages are still in the DLQ
  2    bad usage or configuration
  3    could not run: the DLQ unreachable, AWS authentication refused
  130  interrupted; messages received and not moved stay in the DLQ
`;

export const WIRE_HELP = `Usage: kms-auto-alias wire --ingest-url URL [--dry-run | --check] [--project ID] [--region R] [--account A] [--json]

Sets up the Huawei side of the route CTS key event notification -> SMN topic -> HTTPS
subscription -> the ingest function, in every configured project (or --project):
  topic          the SMN topic (created when missing; SMN's create is idempotent)
  subscription   the ingest URL subscribed to it, with INGEST_TOKEN as the custom header
                 x-ingest-token (the ingest function confirms the subscription itself)
  notification   a CTS key event notification for KMS cmk traces
                 ${KMS_CREATE_KEY_OPERATION.trace_names.join(', ')},
                 filter "code = 200" (successful calls only), publishing to the topic; enabled
                 and fixed if it differs
Running it again changes nothing and says so.

Options:
  --ingest-url URL    the ingest function's URL (default INGEST_URL); https (http only for loopback)
  --dry-run           change nothing: show what would be created or fixed
  --check             change nothing: report what is missing or wrong, and whether the ingest URL
                      answers (a GET without the token; any 2xx or 4xx counts as answering)
  --project ID        only this project (default: every configured project)
  --region R          its region (default: from HUAWEICLOUD_PROJECTS or HUAWEICLOUD_REGION)
  --account A         with HUAWEICLOUD_ACCOUNTS: only this account's projects (its id or name)
  --topic NAME        topic name (default kms-auto-alias-key-events)
  --notification N    CTS notification name (default kms_auto_alias_key_events)
  --confirm-wait S    after subscribing, wait up to S seconds for the confirmation (default 5)
  --json              print a JSON document instead of tables
  -h, --help          this help

Configuration: the Lambda's Huawei variables (HUAWEICLOUD_PROJECT_ID/_REGION or
HUAWEICLOUD_PROJECTS, credentials), INGEST_TOKEN (never printed), and SMN_ENDPOINT,
CTS_ENDPOINT for private or local endpoints ({region} is substituted).

Some facts cannot be read back by API (a topic policy for CTS, what CTS puts in the message, the
token header's value): every run lists them under "Check by hand".

Exit codes:
  0    done (--check: healthy)
  1    --check found something missing or wrong (or an error stopped the command)
  2    bad usage or configuration; nothing was done
  3    could not run: SMN or CTS unreachable, credentials refused, or a 5xx/throttling answer
`;
