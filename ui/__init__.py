"""The faces of tom-assistant: the CLI, the HTTP API and the Gradio UI."""
