"""The reproduce job: run the chain on the paper's defaults and write a report.

:func:`qdled.report.pipeline.reproduce` runs binding -> synthesis -> dots -> optics -> device
for both recipes, :mod:`.table` holds the model-vs-paper rows, :mod:`.html` writes the page.
"""
