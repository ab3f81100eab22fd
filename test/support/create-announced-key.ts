import type { CreateKeyInput, KmsEmulator } from '../../emulator/kms-emulator.ts';
import type { KeyCreated } from '../../lib/events/key-created.ts';

/**
 * Creates in the emulator the key an event announces (same id, name, spec and usage), as
 * CreateKey would have before the event was sent. Does nothing when the key already exists.
 * Shared by the local run, the tests, the fuzz run and the benchmarks.
 */
export function createAnnouncedKey(emulator: KmsEmulator, event: KeyCreated, extra: CreateKeyInput = {}): void {
  if (emulator.state.getKey(event.key_id) !== undefined) return;
  emulator.state.createKey(event.project_id, {
    key_id: event.key_id,
    ...(event.key_alias === undefined ? {} : { key_alias: event.key_alias }),
    ...(event.key_spec === undefined ? {} : { key_spec: event.key_spec }),
    ...(event.key_usage === undefined ? {} : { key_usage: event.key_usage }),
    ...extra,
  });
}
