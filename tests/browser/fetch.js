// Reads a streamed response with nothing but fetch and a stream reader, from the API named by
// ?api=..., and renders the text as it arrives.
const params = new URLSearchParams(location.search);
const api = params.get("api");
const show = (id, value) => { document.getElementById(id).textContent = String(value ?? ""); };
const headers = { "Authorization": "Bearer sk-browser-test", "Content-Type": "application/json" };

function create(body) {
  return fetch(`${api}/responses`, { method: "POST", headers, body: JSON.stringify(body) });
}

async function main() {
  show("api", api);
  document.body.dataset.state = "streaming";
  const input = params.get("input") ?? "Hello from fetch";
  const reply = await create({ model: "gpt-4o-mini", input, stream: true });
  show("http-status", reply.status);
  show("request-id", reply.headers.get("x-request-id"));
  show("processing-ms", reply.headers.get("openai-processing-ms"));

  const output = document.getElementById("output");
  const reader = reply.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let reads = 0;
  let events = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    reads += 1;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame.split("\n").find((line) => line.startsWith("data: "));
      if (!data) continue;
      const event = JSON.parse(data.slice(6));
      events += 1;
      if (event.type === "response.output_text.delta") output.textContent += event.delta;
      if (event.type === "response.completed") show("response-id", event.response.id);
    }
  }
  show("events", events);
  show("reads", reads);

  const plain = await create({ model: "gpt-4o-mini", input });
  show("ratelimit", plain.headers.get("x-ratelimit-remaining-requests"));
  document.body.dataset.state = "done";
}

main().catch((error) => {
  show("failure", error?.stack ?? error);
  document.body.dataset.state = "failed";
});
