"""A manuscript -> a file: Markdown or Word (.docx) with its sources.
In: a Manuscript; out: a written file.
"""
