import type { KeyCreated } from '../events/key-created.ts';
import type { KeyDeletion } from '../events/key-deletion.ts';
import type { AliasPart } from '../naming/derive-alias.ts';
import type { Outcome } from '../outcome/outcome.ts';
import type { AliasTarget } from './ensure-alias.ts';

/** What processing one message decided, and about what (process-message.ts). */
export interface MessageResult {
  outcome: Outcome;
  /** A key deletion event carries the same identifying fields (key, project, region, trace id). */
  event?: KeyCreated | KeyDeletion;
  target?: AliasTarget;
  parts?: AliasPart[];
  /** The configured account the event's project belongs to (HUAWEICLOUD_ACCOUNTS), once placed. */
  account?: string;
}
