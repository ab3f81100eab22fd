import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, keptLevel, RESERVED_KEYS } from '../../../lib/audit/create-logger.ts';
import { createSecretRegistry } from '../../../lib/audit/secret-registry.ts';
import { createLambdaContext } from '../../support/lambda-context.ts';

const collect = () => {
  const lines: string[] = [];
  return { lines, write: (line: string) => lines.push(line), parsed: () => lines.map((l) => JSON.parse(l)) };
};

const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

describe('createLogger()', () => {
  it('writes one JSON object per line in the Powertools logger shape', () => {
    const out = collect();
    const logger = createLogger({ write: out.write, now: () => new Date(0), lambdaLogLevel: undefined });
    logger.info('hello', { key_id: 'k' });
    expect(out.parsed()[0]).toEqual({
      level: 'INFO',
      message: 'hello',
      timestamp: '1970-01-01T00:00:00.000Z',
      service: 'kms-auto-alias',
      key_id: 'k',
    });
  });

  it('writes a record as JSON would: undefined fields and inherited keys left out, reserved names renamed', () => {
    const out = collect();
    const logger = createLogger({ write: out.write, now: () => new Date(0), lambdaLogLevel: undefined });
    const record = Object.assign(Object.create({ inherited: 'no' }) as Record<string, unknown>, {
      outcome: 'created',
      reason: undefined,
      message: 'kept',
      level: undefined,
      api_calls: 0,
      dry_run: false,
    });
    logger.audit(record);
    expect(out.lines[0]).toBe(
      '{"level":"INFO","message":"decision","timestamp":"1970-01-01T00:00:00.000Z","service":"kms-auto-alias","log_type":"audit","outcome":"created","message_field":"kept","api_calls":0,"dry_run":false}',
    );
  });

  it('writes the same bytes as the document it describes, for any plain record', () => {
    // The reference is the document the logger describes: the standard keys, the invocation,
    // `log_type`, then the record's own defined keys, reserved names renamed.
    const RESERVED = [...RESERVED_KEYS];
    const context = createLambdaContext();
    const key = fc.oneof(
      fc.constantFrom(...RESERVED, 'log_type', 'outcome', 'alias', '', '0', '12', '01', '4294967295'),
      fc.string({ maxLength: 6 }),
    );
    const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(undefined), fc.date({ noInvalidDate: true }));
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 8 }), fc.boolean(), (record, audit) => {
        const out = collect();
        const logger = createLogger({ write: out.write, now: () => new Date(0), lambdaLogLevel: undefined });
        logger.addContext(context);
        if (audit) logger.audit(record);
        else logger.info('note', record);
        const document: Record<string, unknown> = {
          level: 'INFO',
          message: audit ? 'decision' : 'note',
          timestamp: '1970-01-01T00:00:00.000Z',
          service: 'kms-auto-alias',
          cold_start: true,
          function_arn: context.invokedFunctionArn,
          function_memory_size: Number(context.memoryLimitInMB),
          function_name: context.functionName,
          function_request_id: context.awsRequestId,
        };
        if (audit) document.log_type = 'audit';
        for (const [name, v] of Object.entries(record)) {
          if (v !== undefined) document[RESERVED.includes(name) ? `${name}_field` : name] = v;
        }
        expect(out.lines).toEqual([JSON.stringify(document)]);
      }),
      { numRuns: 1000 },
    );
  });

  it('puts the invocation on every line once given the Lambda context: request id, cold start, trace', () => {
    const out = collect();
    let trace: string | undefined = TRACE;
    const logger = createLogger({ write: out.write, traceHeader: () => trace, lambdaLogLevel: undefined });
    const first = createLambdaContext();
    logger.addContext(first);
    logger.info('one');
    logger.audit({ outcome: 'created', message_id: 'm1' });
    logger.metrics({ _aws: { Timestamp: 0, CloudWatchMetrics: [] }, Count: 1 });
    const second = createLambdaContext();
    trace = undefined;
    logger.addContext(second);
    logger.warn('two');
    const [one, audit, metrics, two] = out.parsed();
    const invocation = {
      cold_start: true,
      function_name: first.functionName,
      function_request_id: first.awsRequestId,
      function_arn: first.invokedFunctionArn,
      function_memory_size: 256,
      xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
    };
    expect(one).toMatchObject({ level: 'INFO', message: 'one', ...invocation });
    expect(audit).toMatchObject({ level: 'INFO', message: 'decision', log_type: 'audit', ...invocation });
    expect(metrics).toMatchObject({ _aws: { Timestamp: 0 }, Count: 1, function_request_id: first.awsRequestId });
    expect(two).toMatchObject({ cold_start: false, function_request_id: second.awsRequestId });
    expect(two).not.toHaveProperty('xray_trace_id');
    for (const line of [one, audit, two]) expect(typeof line.timestamp).toBe('string');
  });

  it("never lets a record's own keys overwrite the standard ones", () => {
    const out = collect();
    const logger = createLogger({ write: out.write, lambdaLogLevel: undefined });
    logger.addContext(createLambdaContext());
    logger.error('real', { level: 'DEBUG', message: 'fake', function_request_id: 'x' });
    expect(out.parsed()[0]).toMatchObject({
      level: 'ERROR',
      message: 'real',
      level_field: 'DEBUG',
      message_field: 'fake',
      function_request_id_field: 'x',
    });
  });

  it('filters below LOG_LEVEL but always writes audit records and metrics', () => {
    const out = collect();
    const logger = createLogger({ write: out.write, level: 'warn', lambdaLogLevel: undefined });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.audit({ outcome: 'created' });
    expect(out.parsed().map((l) => l.message)).toEqual(['w', 'decision']);
    expect(out.parsed()[1]).toMatchObject({ log_type: 'audit', outcome: 'created' });
  });

  it.each([
    [undefined, 'INFO'],
    ['DEBUG', 'INFO'],
    ['INFO', 'INFO'],
    ['WARN', 'WARN'],
    ['error', 'ERROR'],
    ['FATAL', 'FATAL'],
    ['nonsense', 'INFO'],
  ])('with Lambda filtering at %s, writes audit records and metrics at %s so Lambda keeps them', (lambda, level) => {
    expect(keptLevel(lambda)).toBe(level);
    const out = collect();
    const logger = createLogger({ write: out.write, lambdaLogLevel: lambda });
    logger.audit({ outcome: 'created' });
    logger.metrics({ _aws: {} });
    logger.error('failure');
    expect(out.parsed().map((l) => l.level)).toEqual([level, level, 'ERROR']);
  });

  it('masks configured secrets wherever they appear, before serialising', () => {
    const out = collect();
    const secret = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';
    const logger = createLogger({ write: out.write, secrets: [secret, 'short'], registry: createSecretRegistry() });
    logger.error('oops', { detail: `sk=${secret}`, nested: { again: secret }, other: 'short' });
    expect(out.lines[0]).not.toContain(secret);
    expect(out.lines[0]).toContain('[REDACTED]');
    expect(out.lines[0]).toContain('short');
  });
});
