"""Passages -> model text: prompt files and passage formatting, the instruction guard, the local
GGUF model, the model-server client, bundled models, the copy block. In: messages; out: tokens.
"""
