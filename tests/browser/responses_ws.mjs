// The official JS SDK's WebSocket mode (openai/resources/responses/ws, Node only: it needs `ws`).
// Usage: node responses_ws.mjs BASE_URL API_KEY  -> prints {"turns": [[event, ...], ...]} as JSON.
// Two turns on one socket, the second continuing the first with previous_response_id (store:
// false), then one invalid create whose error event must leave the socket usable.
import OpenAI from 'openai';
import { ResponsesWS } from 'openai/resources/responses/ws';

const [baseURL, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const socket = new ResponsesWS(client);
const messages = socket.stream();

async function turn(create) {
  socket.send({ type: 'response.create', model: 'gpt-4o-mini', ...create });
  const events = [];
  for (;;) {
    const { value, done } = await messages.next();
    if (done) throw new Error('socket closed mid-turn');
    if (value.type === 'error') {
      // The SDK hands an `error` event over as a WebSocketError; `.error` is the event itself.
      events.push(value.error.error ?? { type: 'error', error: { message: value.error.message } });
      return events;
    }
    if (value.type !== 'message') continue;
    events.push(value.message);
    if (['response.completed', 'response.failed', 'response.incomplete'].includes(value.message.type)) {
      return events;
    }
  }
}

const timer = setTimeout(() => {
  console.error('timed out');
  process.exit(2);
}, 20000);
const first = await turn({ input: 'Remember: my project is Atlas.', store: false });
const second = await turn({
  input: 'What is my project called?',
  store: false,
  previous_response_id: first.at(-1).response.id,
});
const invalid = await turn({ input: 'Hi', temperature: 9 });
const after = await turn({ input: 'Still there?' });
socket.close({ code: 1000, reason: 'done' });
clearTimeout(timer);
console.log(JSON.stringify({ turns: [first, second, invalid, after] }));
