// What both gateway benchmarks send and answer: the 1 KB prompt, the client key, and the upstream
// process (a chat completion, or the same answer streamed one word per chunk), run with `fork`.
import { createServer } from 'node:http';

export const CLIENT_KEY = 'bench-client-key';
export const ANSWER = 'The capital of France is Paris. It has been the capital since the tenth century.';
export const PROMPT = (
  'Our team is planning a two-day offsite in the spring and would like a short overview of the city first. ' +
  'Please describe the main districts, how public transport works, which museums are worth a morning, ' +
  'and where a group of twelve could have dinner without booking months ahead. Keep it practical. '
)
  .repeat(4)
  .slice(0, 1024);

/** The upstream: a chat completion, or the same answer streamed one word per chunk. */
export function runUpstream() {
  const completion = JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'gpt-4o-mini',
    choices: [
      { index: 0, message: { role: 'assistant', content: ANSWER, refusal: null }, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 250, completion_tokens: 20, total_tokens: 270 },
  });
  const chunk = (delta, finish = null) => {
    const c = {
      id: 'chatcmpl-bench',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'gpt-4o-mini',
    };
    return `data: ${JSON.stringify({ ...c, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  };
  const words = ANSWER.split(/(?<= )/);
  const stream = [
    chunk({ role: 'assistant', content: '' }),
    ...words.map((w) => chunk({ content: w })),
    chunk({}, 'stop'),
  ]
    .concat('data: [DONE]\n\n')
    .join('');
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const sse = body.includes('"stream":true');
      res.writeHead(200, { 'content-type': sse ? 'text/event-stream' : 'application/json' });
      res.end(sse ? stream : completion);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
}

export const requestBody = (stream) =>
  JSON.stringify({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content: PROMPT }] });
export const HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` };

/**
 * Evenly spaced requests (open loop) for `seconds`; each timed from its send to its last byte.
 * Returns the durations (ms) of the answers with status 200 and the count of the others.
 */
export async function pacedRequests(undici, port, rate, seconds, stream) {
  const pool = new undici.Pool(`http://127.0.0.1:${port}`, { connections: 512 });
  const body = requestBody(stream);
  const durations = [];
  let errors = 0;
  const inFlight = [];
  const total = Math.round(rate * seconds);
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(
      (async () => {
        const t = performance.now();
        try {
          const res = await pool.request({
            path: '/v1/chat/completions',
            method: 'POST',
            headers: HEADERS,
            body,
          });
          await res.body.text();
          if (res.statusCode === 200) durations.push(performance.now() - t);
          else errors++;
        } catch {
          errors++;
        }
      })(),
    );
  }
  await Promise.all(inFlight);
  await pool.close();
  return { durations, errors };
}
