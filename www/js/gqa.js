// Grouped-query attention (Llama, Qwen2 with num_key_value_heads <
// num_attention_heads): query heads come in groups that share one key/value
// head, as Hugging Face's repeat_kv lays them out: with g = H / KV query heads
// a group, query head h (from 0) reads key/value head floor(h / g). The views
// draw the groups; everything a person reads counts from 1.

/**
 * Query heads per key/value head for a model's `info` drawn with H heads a
 * layer: > 1 when heads share keys and values, else null (multi-head
 * attention, an RNN, no config).
 */
export function kvGroupSize(info, H) {
  const c = info?.config;
  const kv = c?.num_key_value_heads;
  if (!Number.isInteger(kv) || kv < 1 || c.num_attention_heads !== H || kv >= H || H % kv !== 0) return null;
  return H / kv;
}

/** The key/value head (from 0) query head h (from 0) reads, with g query heads a group. */
export function kvHead(h, g) {
  return Math.floor(h / g);
}

/** Whether query head h starts a group after the first (drawn with a gap before it). */
export function startsGroup(h, g) {
  return Boolean(g) && h > 0 && h % g === 0;
}
