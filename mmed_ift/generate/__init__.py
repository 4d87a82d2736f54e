"""Sample generation: the offline template generator and the LLM generator over any
OpenAI-compatible server (tasks, prompts, client, request cache, rate limits)."""
