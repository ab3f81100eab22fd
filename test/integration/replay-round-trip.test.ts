// The whole way back: the handler files a message in the DLQ, the operator fixes the cause and runs
// `kms-auto-alias replay-dlq`, and the handler reads the replayed message exactly as it read the
// first delivery. Real handler, KMS emulator, fauxqs for both queues, the CLI in-process.
import { type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/create-key-alias/app.ts';
import { buildDeps } from '../../functions/create-key-alias/build-deps.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { DLQ_ATTRIBUTE } from '../../lib/dlq/build-dlq-record.ts';
import { SOURCE_MAX_MESSAGE_BYTES } from '../../lib/dlq/fit-dlq-record.ts';
import { createKmsFromConfig } from '../../lib/runtime/create-kms-from-config.ts';
import { createLambdaContext } from '../support/lambda-context.ts';
import { LOCAL_ACCOUNT } from '../support/local-account.ts';
import { toSqsRecord } from '../support/sqs-records.ts';
import { auditRecords, failedIds } from '../support/stack.ts';
import { useStack } from '../support/use-stack.ts';
import { runCli } from '../unit/cli/run-cli.ts';

const world = useStack();

const KEY = '11111111-2222-4333-8444-555555555555';
const HOLDER = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const ALIAS = 'alias/test/billing-aes_256';

/**
 * A key event near the source queue's size limit, whose extra field holds every kind of character
 * SQS carries in a body short of the astral planes (fauxqs refuses those, SQS does not): tab, CR,
 * LF, Latin-1, CJK, the private use area, U+FFFD, and a JSON escape that means U+FFFF.
 */
function bodyNearTheLimit(): string {
  const event = {
    type: 'kms.key.created',
    key_id: KEY,
    project_id: LOCAL_ACCOUNT.projectId,
    key_alias: 'billing',
    key_spec: 'AES_256',
    note: 'tab\there, cr\r, lf\n, é, 中文, \ue000, \ufffd',
    padding: '',
  };
  const frame = Buffer.byteLength(JSON.stringify(event).replace('"note"', '"note\\uffff"'));
  const bytes = SOURCE_MAX_MESSAGE_BYTES - 64;
  return JSON.stringify({ ...event, padding: 'p'.repeat(bytes - frame) }).replace('"note"', '"note\\uffff"');
}

/** A message received from the source queue, as Lambda's event source mapping hands it over. */
function asLambdaRecord(message: Message): SQSRecord {
  const record = toSqsRecord({
    body: message.Body ?? '',
    messageId: message.MessageId ?? '',
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount),
  });
  return record;
}

async function receiveFromSource(): Promise<Message[]> {
  const page = await world.stack.sqs.client.send(
    new ReceiveMessageCommand({
      QueueUrl: world.stack.sqs.queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }),
  );
  return page.Messages ?? [];
}

describe('handler → DLQ → replay-dlq → handler', () => {
  it('reads the replayed body byte for byte as the first delivery, and ends as the fix allows', async () => {
    const body = bodyNearTheLimit();
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(SOURCE_MAX_MESSAGE_BYTES);
    world.stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY, key_alias: 'billing' });
    world.stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: HOLDER, key_alias: 'billing-old' });
    world.stack.emulator.state.putAlias(LOCAL_ACCOUNT.projectId, HOLDER, ALIAS);
    const config = loadConfig(world.stack.env());
    const handler = createHandler(
      buildDeps(config, { write: (l) => world.lines.push(l), sqsClient: world.stack.sqs.client }),
    );

    // First delivery: the alias belongs to another key, so the message is filed as a conflict.
    const first = toSqsRecord({ body });
    expect(failedIds(await handler({ Records: [first] }, createLambdaContext()))).toEqual([]);
    expect(auditRecords(world.lines)[0]).toMatchObject({ outcome: 'conflict', existing_key_id: HOLDER });

    // The operator frees the alias, then replays the DLQ into the source queue.
    await createKmsFromConfig(config).deleteAlias({
      region: LOCAL_ACCOUNT.region,
      projectId: LOCAL_ACCOUNT.projectId,
      keyId: HOLDER,
      aliases: [ALIAS],
    });
    const replay = await runCli(['replay-dlq', '--to', world.stack.sqs.queueUrl, '--wait', '0', '--json'], {
      env: { ...world.stack.env(), DLQ_URL: world.stack.sqs.dlqUrl },
    });
    expect(replay.code).toBe(0);
    expect(replay.json<{ moved: Array<{ reason: string; key_id?: string }> }>().moved).toEqual([
      expect.objectContaining({ reason: 'conflict', key_id: KEY }),
    ]);
    expect(await world.stack.sqs.drainDlq()).toEqual([]);

    // Second delivery: the body is the one first delivered, and the alias is created.
    const replayed = await receiveFromSource();
    expect(replayed.map((m) => m.Body)).toEqual([body]);
    const [message] = replayed;
    if (message === undefined) throw new Error('nothing replayed');
    expect(message.MessageAttributes?.[DLQ_ATTRIBUTE.reason]).toBeUndefined();
    const response = await handler({ Records: [asLambdaRecord(message)] }, createLambdaContext());
    expect(failedIds(response)).toEqual([]);
    expect(auditRecords(world.lines)[1]).toMatchObject({ outcome: 'created', key_id: KEY, alias: ALIAS });
    expect(world.stack.emulator.state.aliasesOf(KEY)).toEqual([ALIAS]);
  });
});
