"""Meeting documents: materials, versions, viewing, notes, opinions, search.

The heavy PDF work (validation, conversion, watermarks, packs) happens in isolated worker
processes behind `storage.pdf.PdfEngine`; these services decide who may do what.
"""
