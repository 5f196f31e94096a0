"""The browser workspace (`wengao serve`): Gradio tabs over the drafting functions in rag/."""
