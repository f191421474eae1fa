// Streams a response with the official openai SDK, in the browser, from the API named by
// ?api=... (the mock server's /v1 URL), and renders the text as it arrives.
import OpenAI from "./node_modules/openai/index.mjs";

const params = new URLSearchParams(location.search);
const show = (id, value) => { document.getElementById(id).textContent = String(value ?? ""); };

async function main() {
  show("api", params.get("api"));
  const client = new OpenAI({
    baseURL: params.get("api"),
    apiKey: "sk-browser-test",
    dangerouslyAllowBrowser: true,
    maxRetries: 0,
  });
  document.body.dataset.state = "streaming";
  const { data: stream, request_id: requestId } = await client.responses
    .create({ model: "gpt-4o-mini", input: params.get("input") ?? "Hello from a browser", stream: true })
    .withResponse();
  show("request-id", requestId);
  const output = document.getElementById("output");
  let deltas = 0;
  for await (const event of stream) {
    if (event.type === "response.output_text.delta") {
      output.textContent += event.delta;
      deltas += 1;
    } else if (event.type === "response.completed") {
      show("response-id", event.response.id);
    }
  }
  show("deltas", deltas);

  // An error, as the SDK surfaces it to a browser app.
  try {
    await client.responses.create({ model: "no-such-model", input: "hi" });
  } catch (error) {
    show("error-status", error.status);
    show("error-message", error.error?.message ?? error.message);
    show("error-request-id", error.requestID);
  }
  document.body.dataset.state = "done";
}

main().catch((error) => {
  show("failure", error?.stack ?? error);
  document.body.dataset.state = "failed";
});
