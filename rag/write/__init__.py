"""Passages + model -> drafts: expand an outline point, propose an outline, answer a question from
quoted evidence, refine and rewrite, assemble a whole speech. In: requests; out: Drafts and Answers.
"""
