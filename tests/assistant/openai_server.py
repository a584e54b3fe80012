"""A minimal OpenAI-compatible chat server over a real GGUF, for testing the `openai` backend.

    python tests/assistant/openai_server.py MODEL.gguf PORT
"""

import json
import sys

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from llama_cpp import Llama

llama = Llama(model_path=sys.argv[1], n_ctx=4096, n_threads=2, verbose=False, seed=0)
app = FastAPI()
calls = {"n": 0}


@app.get("/v1/models")
def models():
    return {"object": "list", "data": [{"id": "served-gguf", "object": "model", "created": 0, "owned_by": "test"}]}


@app.get("/calls")
def count():
    return calls


@app.post("/v1/chat/completions")
async def chat(request: Request):
    body = await request.json()
    calls["n"] += 1
    kwargs = {"messages": body["messages"], "max_tokens": body.get("max_tokens", 256), "temperature": body.get("temperature", 0)}
    if not body.get("stream"):
        return JSONResponse(llama.create_chat_completion(**kwargs))

    def events():
        for chunk in llama.create_chat_completion(stream=True, **kwargs):
            yield f"data: {json.dumps(chunk)}\n\n"
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
