"""Model text -> checked text: citations and their support, 查重 against the corpus, invented
specifics, drift off the point. In: a draft and its passages; out: verified Citations and reports.
"""
