/** @internal Epoch ms of an OCSF event (`time`) or an audit record (`timestamp`); now otherwise. */
export function eventTimeMs(event: object): number {
  const e = event as { time?: unknown; timestamp?: unknown };
  if (typeof e.time === 'number' && Number.isFinite(e.time)) return e.time;
  if (typeof e.timestamp === 'string') {
    const t = Date.parse(e.timestamp);
    if (Number.isFinite(t)) return t;
  }
  return Date.now();
}
