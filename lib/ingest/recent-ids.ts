/**
 * The ids of deliveries this instance has already put on the queue, oldest forgotten first.
 * SMN resends on network failures, so the same `message_id` can arrive twice; a repeat that
 * reaches the same warm instance is answered 200 without a second SendMessage. Repeats that
 * reach another instance are enqueued again and recognised downstream by `smn_message_id`
 * (the queue handler is idempotent: it creates no second alias).
 */
export interface RecentIds {
  has(id: string): boolean;
  add(id: string): void;
}

export function createRecentIds(capacity = 1024): RecentIds {
  const ids = new Set<string>();
  return {
    has: (id) => ids.has(id),
    add(id) {
      ids.delete(id);
      ids.add(id);
      if (ids.size > capacity) {
        const oldest = ids.values().next().value;
        if (oldest !== undefined) ids.delete(oldest);
      }
    },
  };
}
